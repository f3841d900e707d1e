// A migrated PGlite data folder, made once and kept in the temp folder, so each PGlite test
// database starts from it instead of running initdb and every migration (initdb inside the WASM
// build is most of a new instance's start). Keyed by the migrations' names and contents and by
// PGlite's version: a changed or added migration makes a new image.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
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

let made: Promise<Blob> | undefined;

/** The migrated image's bytes; made by the first caller on this machine (workers racing write the same bytes). */
export function migratedPgliteImage(): Promise<Blob> {
  made ??= (async () => {
    const file = path.join(tmpdir(), `prospector-pglite-${imageKey()}.tar`);
    if (existsSync(file)) return new Blob([readFileSync(file)]);
    const db = await openPglite();
    try {
      await migrate(db);
      const image = await db.pglite.dumpDataDir('none');
      const partial = `${file}.${process.pid}.part`;
      writeFileSync(partial, Buffer.from(await image.arrayBuffer()));
      renameSync(partial, file);
      return image;
    } finally {
      await db.close();
    }
  })();
  return made;
}
