// A private Dovecot IMAP server on a loopback port, with its own config in a temp folder.
// Any user name logs in with the password "secret"; mail lives in TEMP/mail/<user>. With `oauth2`,
// XOAUTH2 and OAUTHBEARER logins are checked by Dovecot's OAuth2 passdb, which introspects the
// bearer token (RFC 7662, POST) at the fake authorization server: active, and issued to that user.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ImapFlow } from 'imapflow';

const DOVECOT_BIN = process.env.DOVECOT_BIN ?? '/usr/sbin/dovecot';
export const DOVECOT_PASSWORD = 'secret';

export interface TestDovecot {
  port: number;
  dir: string;
  /** Appends a raw message to a user's folder (created when missing), as a mail client would. */
  append(user: string, raw: string, folder?: string): Promise<void>;
  client(user: string): ImapFlow;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

export async function startDovecot(opts: { oauth2?: { introspectionUrl: string } } = {}): Promise<TestDovecot> {
  if (!existsSync(DOVECOT_BIN))
    throw new Error(`Dovecot not found at ${DOVECOT_BIN}: apt-get install -y dovecot-imapd`);
  const dir = mkdtempSync(path.join(tmpdir(), 'dovecot-'));
  chmodSync(dir, 0o755);
  const port = await freePort();
  const conf = path.join(dir, 'dovecot.conf');
  writeFileSync(
    conf,
    `
listen = 127.0.0.1
protocols = imap
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login${opts.oauth2 ? ' xoauth2 oauthbearer' : ''}
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
info_log_path = ${dir}/dovecot.log
default_login_user = dovenull
default_internal_user = dovecot
default_internal_group = dovecot
mail_uid = mail
mail_gid = mail
first_valid_uid = 8
first_valid_gid = 8
mail_location = maildir:${dir}/mail/%u
namespace inbox {
  inbox = yes
  separator = /
  mailbox Sent {
    special_use = \\Sent
    auto = create
  }
}
${
  opts.oauth2
    ? `passdb {
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = ${dir}/dovecot-oauth2.conf.ext
}
`
    : ''
}passdb {
  driver = static
  mechanisms = plain login
  args = password=${DOVECOT_PASSWORD}
}
userdb {
  driver = static
  args = uid=mail gid=mail home=${dir}/mail/%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
}
`,
  );
  if (opts.oauth2)
    writeFileSync(
      path.join(dir, 'dovecot-oauth2.conf.ext'),
      `introspection_mode = post
introspection_url = ${opts.oauth2.introspectionUrl}
username_attribute = email
active_attribute = active
active_value = true
force_introspection = yes
`,
    );
  execFileSync('mkdir', ['-p', `${dir}/mail`, `${dir}/run`, `${dir}/state`]);
  execFileSync('chown', ['-R', 'mail:mail', `${dir}/mail`]);
  execFileSync(DOVECOT_BIN, ['-c', conf], { stdio: 'ignore' }); // it forks; inherited pipes would hold us
  // Wait until it accepts connections.
  const deadline = Date.now() + 10_000;
  for (;;) {
    const c = new ImapFlow({
      host: '127.0.0.1',
      port,
      secure: false,
      auth: { user: 'probe', pass: DOVECOT_PASSWORD },
      logger: false,
    });
    try {
      await c.connect();
      await c.logout();
      break;
    } catch (err) {
      if (Date.now() > deadline)
        throw new Error(
          `Dovecot did not start: ${(err as Error).message}\n` +
            `${existsSync(`${dir}/dovecot.log`) ? readFileSync(`${dir}/dovecot.log`, 'utf8') : ''}`,
        );
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const client = (user: string) =>
    new ImapFlow({ host: '127.0.0.1', port, secure: false, auth: { user, pass: DOVECOT_PASSWORD }, logger: false });
  return {
    port,
    dir,
    client,
    async append(user, raw, folder = 'INBOX') {
      const c = client(user);
      await c.connect();
      try {
        if (folder !== 'INBOX') await c.mailboxCreate(folder).catch(() => undefined);
        await c.append(folder, raw);
      } finally {
        await c.logout();
      }
    },
    async stop() {
      const pidFile = `${dir}/run/master.pid`;
      if (existsSync(pidFile)) {
        const pid = Number(readFileSync(pidFile, 'utf8').trim());
        try {
          process.kill(pid, 'SIGTERM');
        } catch {
          /* already gone */
        }
        for (let i = 0; i < 50 && existsSync(pidFile); i++) await new Promise((r) => setTimeout(r, 100));
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
