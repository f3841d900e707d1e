import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkChromium, checkDatabase, checkDomain, checkLlm, checkMailboxes } from '../../cli/doctor-checks.js';
import { loadConfig } from '../../config.js';
import { createSecretBox } from '../../secret-box.js';
import { buildWorkspace } from '../support/builders.js';
import { TEST_SECRET } from '../support/context.js';
import { createTestDb, type TestDb } from '../support/db.js';
import { ROOT } from '../support/process.js';

const execFileP = promisify(execFile);
const secrets = createSecretBox(TEST_SECRET);

function txtResolver(records: Record<string, string[]>) {
  return async (name: string) => {
    if (records[name]) return records[name]!.map((r) => [r]);
    throw Object.assign(new Error(`queryTxt ENODATA ${name}`), { code: 'ENODATA' });
  };
}

describe('prospector doctor', { timeout: 90_000 }, () => {
  let t: TestDb;
  let smtp: SMTPServer;
  let smtpPort: number;
  let llm: Server;
  let llmUrl: string;

  beforeAll(async () => {
    t = await createTestDb('postgres', { label: 'doctor' });
    smtp = new SMTPServer({
      authOptional: false,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onAuth(auth, _s, cb) {
        if (auth.username === 'rep' && auth.password === 'right') cb(null, { user: 'rep' });
        else cb(new Error('Invalid username or password'));
      },
    });
    await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', () => r()));
    smtpPort = (smtp.server.address() as AddressInfo).port;
    llm = createServer((req, res) => {
      // The SDK sends the key as x-api-key or as a Bearer token depending on its version.
      const key = req.headers['x-api-key'] ?? req.headers.authorization?.replace(/^Bearer /, '');
      if (key !== 'sk-good') {
        res
          .writeHead(401, { 'content-type': 'application/json' })
          .end(
            JSON.stringify({ type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key' } }),
          );
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          data: [
            { type: 'model', id: 'claude-sonnet-5-5', display_name: 'Sonnet', created_at: '2025-09-29T00:00:00Z' },
          ],
          has_more: false,
          first_id: null,
          last_id: null,
        }),
      );
    });
    await new Promise<void>((r) => llm.listen(0, '127.0.0.1', () => r()));
    llmUrl = `http://127.0.0.1:${(llm.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => smtp?.close(() => r(undefined)));
    llm?.close();
    await t?.dispose();
  });

  it('checks database, migrations and queue schema', async () => {
    const checks = await checkDatabase(t.db);
    expect(checks.find((c) => c.name === 'database')?.status).toBe('ok');
    expect(checks.find((c) => c.name === 'migrations')?.status).toBe('ok');
    // No process has started pg-boss on this database yet.
    expect(checks.find((c) => c.name === 'queue')).toMatchObject({
      status: 'fail',
      fix: expect.stringContaining('creates the queue schema'),
    });
  });

  it('logs in to each mailbox over SMTP and says what to fix when it cannot', async () => {
    const ws = await buildWorkspace(t.db);
    const ins =
      `INSERT INTO mailboxes (workspace_id, kind, from_name, from_email, smtp_host, smtp_port, ` +
      `smtp_user, smtp_pass_enc, dkim_selector)
                 VALUES ($1, 'smtp', 'Rep', $2, '127.0.0.1', $3, 'rep', $4, $5)`;
    await t.db.query(ins, [ws.id, 'rep@acme-mail.com', smtpPort, secrets.seal('right'), 's1']);
    await t.db.query(ins, [ws.id, 'rep2@acme-mail.com', smtpPort, secrets.seal('wrong'), 's1']);
    const deps = {
      chromiumPath: '/nonexistent',
      timeoutMs: 3000,
      resolveTxt: txtResolver({
        'acme-mail.com': ['v=spf1 include:_spf.mail.example ~all'],
        's1._domainkey.acme-mail.com': ['v=DKIM1; k=rsa; p=MIGf'],
      }),
    };
    // Through the same address guard as the workers: a loopback server is refused unless allowed.
    const refused = await checkMailboxes(t.db, secrets, deps, {});
    expect(refused.filter((c) => c.name.includes('SMTP')).map((c) => c.fix)).toEqual([
      `127.0.0.1 is a private address: list smtp://127.0.0.1:${smtpPort} in ALLOW_PRIVATE_FETCH if this server is meant to be used.`,
      `127.0.0.1 is a private address: list smtp://127.0.0.1:${smtpPort} in ALLOW_PRIVATE_FETCH if this server is meant to be used.`,
    ]);
    const checks = await checkMailboxes(t.db, secrets, deps, { allowPrivate: [`smtp://127.0.0.1:${smtpPort}`] });
    const byName = (n: string) => checks.filter((c) => c.name.startsWith(n));
    const smtpChecks = byName('mailbox').filter((c) => c.name.includes('SMTP'));
    expect(smtpChecks.map((c) => c.status)).toEqual(['ok', 'fail']);
    expect(smtpChecks[1]!.fix).toMatch(/user or password is wrong/);
    // No IMAP configured: replies only by webhook — a warning, not a failure.
    expect(
      byName('mailbox')
        .filter((c) => c.name.includes('IMAP'))
        .every((c) => c.status === 'warn'),
    ).toBe(true);
    expect(checks.find((c) => c.name === 'SPF acme-mail.com')?.status).toBe('ok');
    expect(checks.find((c) => c.name === 'DKIM acme-mail.com')?.status).toBe('ok');
    expect(checks.find((c) => c.name === 'DMARC acme-mail.com')).toMatchObject({
      status: 'fail',
      fix: expect.stringContaining('_dmarc.acme-mail.com'),
    });
  });

  it('says DNS is unreachable rather than that records are missing when offline', async () => {
    const offline = async () => {
      throw Object.assign(new Error('queryTxt ECONNREFUSED'), { code: 'ECONNREFUSED' });
    };
    const checks = await checkDomain('acme-mail.com', null, { resolveTxt: offline });
    expect(checks.slice(0, 2).map((c) => c.status)).toEqual(['warn', 'warn']);
    expect(checks[0]!.detail).toMatch(/could not reach DNS/);
  });

  it('checks Chromium presence and the LLM key against the API', async () => {
    expect((await checkChromium('/nonexistent/chromium')).status).toBe('warn');
    const cfg = (key: string) =>
      loadConfig({
        DATA_DIR: '/tmp/doctor-cfg',
        APP_SECRET: TEST_SECRET,
        ANTHROPIC_API_KEY: key,
        ANTHROPIC_BASE_URL: llmUrl,
      });
    expect(await checkLlm(cfg('sk-good'), 3000)).toMatchObject({
      status: 'ok',
      detail: 'key accepted; claude-sonnet-5-5 available',
    });
    expect(await checkLlm(cfg('sk-bad'), 3000)).toMatchObject({
      status: 'fail',
      fix: expect.stringContaining('refused'),
    });
    expect((await checkLlm(loadConfig({ DATA_DIR: '/tmp/doctor-cfg' }), 3000)).status).toBe('warn');
  });

  it('runs as a command that exits 1 and prints fixes when something fails', async () => {
    const env = {
      PATH: process.env.PATH!,
      HOME: process.env.HOME!,
      DATABASE_URL: t.url!,
      APP_SECRET: TEST_SECRET,
      ALLOW_PRIVATE_FETCH: `smtp://127.0.0.1:${smtpPort}`,
      LOG_LEVEL: 'silent',
    };
    const res = await execFileP(process.execPath, ['bin/prospector.js', 'doctor'], {
      env,
      cwd: ROOT,
      timeout: 60_000,
    }).then(
      (r) => ({ code: 0, stdout: r.stdout }),
      (e: { code: number; stdout: string }) => e,
    );
    expect(res.code).toBe(1);
    expect(res.stdout).toMatch(/FAIL {2}mailbox \d+ SMTP \(rep2@acme-mail\.com\)/);
    expect(res.stdout).toMatch(/fix: The SMTP user or password is wrong/);
    expect(res.stdout).toMatch(/problem\(s\) to fix/);
  });
});
