// `prospector inbound-secret` as a real process on PostgreSQL: prints each mailbox's webhook URL
// and secret (the derived one until rotated); --rotate replaces it with the secret the app then
// verifies (stored sealed); an unknown mailbox is an error with exit code 1.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { mailboxInboundSecret } from '../../sequencing/inbound-secret.js';
import { inboundWebhookSecret } from '../../sequencing/tracking.js';
import { createSecretBox } from '../../secret-box.js';
import { TEST_SECRET } from '../support/context.js';
import { createTestDb, type TestDb } from '../support/db.js';
import { ROOT } from '../support/process.js';

const execFileP = promisify(execFile);

describe('prospector inbound-secret (CLI) [postgres]', { timeout: 120_000 }, () => {
  let t: TestDb;
  afterAll(async () => t?.dispose());

  it('prints the URL and secret, rotates it, and says so when there is no such mailbox', async () => {
    t = await createTestDb('postgres', { label: 'clisecret' });
    const env = {
      PATH: process.env.PATH!,
      HOME: process.env.HOME!,
      DATABASE_URL: t.url!,
      APP_SECRET: TEST_SECRET,
      PUBLIC_URL: 'https://prospector.example',
      LOG_LEVEL: 'silent',
    };
    const cli = (...args: string[]) =>
      execFileP(process.execPath, ['bin/prospector.js', ...args], { env, cwd: ROOT, timeout: 60_000 });
    const ws = (await t.db.query<{ id: number }>(`INSERT INTO workspaces (name) VALUES ('W') RETURNING id`)).rows[0]!
      .id;
    const ids: number[] = [];
    for (const email of ['a@acme.example', 'b@acme.example'])
      ids.push(
        (
          await t.db.query<{ id: number }>(
            `INSERT INTO mailboxes (workspace_id, kind, from_name, from_email) VALUES ($1, 'outbox', 'A', $2) RETURNING id`,
            [ws, email],
          )
        ).rows[0]!.id,
      );
    const secrets = createSecretBox(TEST_SECRET);
    const [a, b] = ids as [number, number];
    const secretOf = (out: string, id: number) =>
      new RegExp(`^mailbox ${id} .*\\n  url: (\\S+)\\n  secret: (\\S+)$`, 'm').exec(out)?.slice(1);

    const listed = (await cli('inbound-secret')).stdout;
    expect(secretOf(listed, a)).toEqual([
      `https://prospector.example/api/inbound?mailbox=${a}`,
      inboundWebhookSecret(secrets, a),
    ]);
    expect(secretOf(listed, b)![1]).toBe(inboundWebhookSecret(secrets, b));

    const rotated = (await cli('inbound-secret', '--mailbox', String(a), '--rotate')).stdout;
    expect(rotated).toContain(`mailbox ${a} <a@acme.example> (rotated)`);
    expect(rotated).not.toContain(`mailbox ${b} `);
    const fresh = secretOf(rotated, a)![1]!;
    expect(fresh).not.toBe(inboundWebhookSecret(secrets, a));
    const row = (
      await t.db.query<{ id: number; inbound_secret_enc: string | null }>(
        'SELECT id, inbound_secret_enc FROM mailboxes WHERE id = ANY($1::bigint[]) ORDER BY id',
        [ids],
      )
    ).rows;
    expect(mailboxInboundSecret(secrets, row[0]!)).toBe(fresh);
    expect(row[1]!.inbound_secret_enc).toBeNull();

    const missing = await cli('inbound-secret', '--mailbox', '999999').catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect(missing).toMatchObject({ code: 1, stderr: 'prospector: no mailbox 999999 in this workspace\n' });
  });
});
