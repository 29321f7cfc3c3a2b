/**
 * `npm run db:embedded -- --port N [--host H] [--advertise-host HOST[:PORT]] [--dbpath DIR] [--ttl-interval MS]
 * [--compact-bytes N]`: runs the embedded server until SIGTERM/SIGINT. Prints one line with its mongodb:// URI
 * (and the address hello advertises, when fixed) once it accepts connections.
 */
import { startEmbeddedMongo } from './server';

interface Args {
  port: number;
  dbPath?: string;
  ttlMs?: number;
  host?: string;
  advertiseHost?: string;
  compactBytes?: number;
}

function parseArgs(argv: string[]): Args {
  const out: Args = { port: 27017 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = argv[i + 1];
    if (a === '--port' && v) out.port = Number(v);
    else if (a === '--dbpath' && v) out.dbPath = v;
    else if (a === '--ttl-interval' && v) out.ttlMs = Number(v);
    else if (a === '--host' && v) out.host = v;
    else if (a === '--advertise-host' && v) out.advertiseHost = v;
    else if (a === '--compact-bytes' && v) out.compactBytes = Number(v);
    else continue;
    i++;
  }
  if (!Number.isInteger(out.port) || out.port < 0 || out.port > 65535) throw new Error(`invalid --port ${out.port}`);
  return out;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const server = await startEmbeddedMongo({
    port: args.port,
    ...(args.host ? { host: args.host } : {}),
    ...(args.advertiseHost ? { advertiseHost: args.advertiseHost } : {}),
    ...(args.dbPath ? { dbPath: args.dbPath } : {}),
    ...(args.ttlMs ? { ttlMonitorIntervalMs: args.ttlMs } : {}),
    ...(args.compactBytes ? { compactBytes: args.compactBytes } : {}),
  });
  const advertised = server.advertised ? `, hello advertises ${server.advertised}` : '';
  process.stdout.write(
    `embedded MongoDB listening on ${server.uri.replace(/\/$/, '')} (${args.dbPath ? `data in ${args.dbPath}` : 'in memory'}${advertised})\n`,
  );
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`${signal}: stopping embedded MongoDB\n`);
    server.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`stop failed: ${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`embedded MongoDB failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
