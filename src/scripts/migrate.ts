/** `npm run migrate`: data migrations. None exist yet. */
process.stdout.write('migrate: nothing to do yet\n');
