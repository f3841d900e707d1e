// A migrated PGlite data folder, made once and kept in the temp folder, so each PGlite test
// database starts from it instead of running initdb and every migration (initdb inside the WASM
// build is most of a new instance's start). Keyed by the migrations' names and contents and by
// PGlite's version: a changed or added migration makes a new image.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { migrate } from '../../db/migrate.js';
import { openPglite } from '../../db/pglite.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function imageKey(): string {
  const hash = createHash('sha256');
  const dir = path.join(ROOT, 'db/migrations');
  for (const name of readdirSync(dir).sort()) hash.update(name).update(readFileSync(path.join(dir, name)));
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'node_modules/@electric-sql/pglite/package.json'), 'utf8')) as {
    version: string;
  };
  return hash.update(pkg.version).digest('hex').slice(0, 16);
}

let made: Promise<string> | undefined;

/** The migrated image's file (a tar of the data folder); made by the first caller on this machine (workers racing write the same bytes). */
export function migratedPgliteImageFile(): Promise<string> {
  made ??= (async () => {
    const file = path.join(tmpdir(), `prospector-pglite-${imageKey()}.tar`);
    if (existsSync(file)) return file;
    const db = await openPglite();
    try {
      await migrate(db);
      const image = await db.pglite.dumpDataDir('none');
      const partial = `${file}.${process.pid}.part`;
      writeFileSync(partial, Buffer.from(await image.arrayBuffer()));
      renameSync(partial, file);
      return file;
    } finally {
      await db.close();
    }
  })();
  return made;
}

let bytes: Promise<Blob> | undefined;

/** The migrated image's bytes, for `openPglite(undefined, image)`; read once per worker. */
export function migratedPgliteImage(): Promise<Blob> {
  bytes ??= migratedPgliteImageFile().then((file) => new Blob([readFileSync(file)]));
  return bytes;
}

/**
 * Makes `<dataDir>/pgdata` (where a `prospector` child keeps its embedded database) a copy of the
 * migrated image, so the child opens an existing database instead of running initdb and every
 * migration. The same files PGlite's own `loadDataDir` writes, unpacked by tar without a WASM start.
 */
export async function seedPgliteDataDir(dataDir: string): Promise<void> {
  const pgdata = path.join(dataDir, 'pgdata');
  mkdirSync(pgdata, { recursive: true });
  // The image's members are absolute (/PG_VERSION ...): GNU tar strips the leading slash, and says so on stderr.
  await promisify(execFile)('tar', ['-xf', await migratedPgliteImageFile(), '-C', pgdata]);
  if (!existsSync(path.join(pgdata, 'PG_VERSION'))) throw new Error(`seeding ${pgdata} from the PGlite image failed`);
}
