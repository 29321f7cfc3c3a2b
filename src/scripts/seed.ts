/** `npm run seed`: demo data for a development database. Nothing to seed until the accounts area lands. */
process.stdout.write('seed: nothing to do yet\n');
