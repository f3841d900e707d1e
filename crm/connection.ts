// A workspace's CRM connection: saving one (pasted token or OAuth), the token source the adapters
// use (refreshed under the row's lock, one refresh at a time across processes), stopping the sync
// when the CRM revokes access, and building the provider for a connection by its kind.
import type { AppContext } from '../context.js';
import { one, run } from '../db/index.js';
import {
  findCrmConnection,
  lockCrmConnection,
  saveCrmConnection,
  saveCrmTokens,
  setCrmStatus,
  type CrmConnectionRow,
} from '../db/queries/crm.js';
import { AppError } from '../errors.js';
import './kinds.js';
import { CRM_NAMES, CrmError, isCrmError, type CrmKind, type CrmProvider, type CrmTokenSource } from './provider.js';
import { crmKind, type CrmKindModule, type CrmTokenSet } from './registry.js';

type Ctx = Pick<AppContext, 'db' | 'config' | 'secrets' | 'log'>;

/** A token with less than this left is refreshed before use. */
const REFRESH_MARGIN_MS = 60_000;

export function kindModule(kind: CrmKind): CrmKindModule {
  const mod = crmKind(kind);
  if (!mod) throw new AppError('VALIDATION', `${CRM_NAMES[kind]} is not available in this build`);
  return mod;
}

const revokedReason = (kind: CrmKind, detail: string) =>
  `${CRM_NAMES[kind]} refused our access (${detail}). Nothing is lost: reconnect on Settings → CRM and the sync resumes where it stopped.`;

/** Stops the sync with the reason shown on the CRM pages. */
export async function markRevoked(ctx: Ctx, workspaceId: number, kind: CrmKind, detail: string): Promise<string> {
  const reason = revokedReason(kind, detail);
  await run(ctx.db, setCrmStatus(workspaceId, 'revoked', reason));
  ctx.log.warn({ workspaceId, kind }, 'crm.connection.revoked');
  return reason;
}

export async function saveConnection(
  ctx: Ctx,
  c: {
    workspaceId: number;
    kind: CrmKind;
    auth: 'oauth' | 'private_app';
    tokens: CrmTokenSet;
    externalAccount: string | null;
    userId: number | null;
  },
): Promise<void> {
  await run(
    ctx.db,
    saveCrmConnection({
      workspaceId: c.workspaceId,
      kind: c.kind,
      auth: c.auth,
      accessTokenEnc: ctx.secrets.seal(c.tokens.accessToken),
      refreshTokenEnc: c.tokens.refreshToken ? ctx.secrets.seal(c.tokens.refreshToken) : null,
      accessExpiresAt: c.tokens.expiresInSeconds ? new Date(Date.now() + c.tokens.expiresInSeconds * 1000) : null,
      instanceUrl: c.tokens.instanceUrl ?? null,
      externalAccount: c.externalAccount,
      userId: c.userId,
    }),
  );
  ctx.log.info({ workspaceId: c.workspaceId, kind: c.kind, auth: c.auth }, 'crm.connection.saved');
}

const fresh = (row: CrmConnectionRow, force: boolean) =>
  !force &&
  row.access_token_enc &&
  (!row.access_expires_at || new Date(row.access_expires_at).getTime() - Date.now() > REFRESH_MARGIN_MS);

/** Access tokens for a workspace's connection; a refused refresh marks it revoked and throws CrmError('unauthorized'). */
function crmTokens(ctx: Ctx, workspaceId: number, kind: CrmKind): CrmTokenSource {
  let instanceUrl: string | null = null;
  const refused = async (detail: string) => {
    await markRevoked(ctx, workspaceId, kind, detail);
    return new CrmError('unauthorized', revokedReason(kind, detail));
  };
  return {
    instanceUrl: () => instanceUrl,
    async accessToken(force = false) {
      const row = await one(ctx.db, findCrmConnection(workspaceId));
      if (!row || row.status === 'disconnected' || !row.access_token_enc)
        throw new CrmError('unauthorized', `${CRM_NAMES[kind]} is not connected`);
      if (row.status === 'revoked') throw new CrmError('unauthorized', row.status_reason ?? 'access was revoked');
      instanceUrl = row.instance_url;
      if (fresh(row, force)) return ctx.secrets.open(row.access_token_enc);
      if (row.auth === 'private_app' || !row.refresh_token_enc) throw await refused('the saved token was refused');
      const out = await ctx.db.transaction(async (tx) => {
        const locked = (await one(tx, lockCrmConnection(workspaceId)))!;
        // Someone else refreshed while we waited for the lock.
        if (locked.access_token_enc !== row.access_token_enc && fresh(locked, false))
          return { token: ctx.secrets.open(locked.access_token_enc!) };
        let set: CrmTokenSet;
        try {
          set = await kindModule(kind).refresh(ctx, {
            refreshToken: ctx.secrets.open(locked.refresh_token_enc!),
            instanceUrl: locked.instance_url,
          });
        } catch (err) {
          if (isCrmError(err, 'unauthorized')) return { refused: err.message };
          throw err;
        }
        await run(
          tx,
          saveCrmTokens({
            workspaceId,
            accessTokenEnc: ctx.secrets.seal(set.accessToken),
            refreshTokenEnc: set.refreshToken ? ctx.secrets.seal(set.refreshToken) : null,
            accessExpiresAt: new Date(Date.now() + (set.expiresInSeconds ?? 3600) * 1000),
            instanceUrl: set.instanceUrl ?? null,
          }),
        );
        if (set.instanceUrl) instanceUrl = set.instanceUrl;
        ctx.log.info({ workspaceId, kind }, 'crm.token.refreshed');
        return { token: set.accessToken };
      });
      if ('refused' in out) throw await refused(out.refused ?? 'the refresh token was refused');
      return out.token;
    },
  };
}

interface OpenCrm {
  connection: CrmConnectionRow;
  provider: CrmProvider;
}

/** The workspace's connection and its provider; undefined when none is saved. */
export async function openCrm(ctx: Ctx, workspaceId: number): Promise<OpenCrm | undefined> {
  const connection = await one(ctx.db, findCrmConnection(workspaceId));
  if (!connection) return undefined;
  const mod = kindModule(connection.kind);
  const provider = mod.create(
    ctx,
    { workspaceId, kind: connection.kind, auth: connection.auth, instanceUrl: connection.instance_url },
    crmTokens(ctx, workspaceId, connection.kind),
  );
  return { connection, provider };
}

/** Connects with a pasted token (HubSpot private app): checked against the CRM before it is saved. */
export async function connectWithToken(
  ctx: Ctx,
  p: { workspaceId: number; userId: number | null; kind: CrmKind; token: string },
): Promise<{ account: string; label: string }> {
  const mod = kindModule(p.kind);
  if (!mod.supportsPastedToken)
    throw new AppError('VALIDATION', `${CRM_NAMES[p.kind]} connects through its sign-in page only`);
  const token = p.token.trim();
  if (!/^[\w.:-]{8,512}$/.test(token)) throw new AppError('VALIDATION', 'That does not look like an access token');
  const probe = mod.create(
    ctx,
    { workspaceId: p.workspaceId, kind: p.kind, auth: 'private_app', instanceUrl: null },
    { accessToken: () => Promise.resolve(token), instanceUrl: () => null },
  );
  let who: { account: string; label: string };
  try {
    who = await probe.whoAmI();
  } catch (err) {
    if (isCrmError(err)) {
      // A refusal is about the token; an unreachable or busy CRM is not, and must not read as one.
      const what =
        err.code === 'unauthorized' || err.code === 'invalid' ? 'refused the token' : 'could not check the token';
      throw new AppError('VALIDATION', `${CRM_NAMES[p.kind]} ${what}: ${err.message}`);
    }
    throw err;
  }
  await saveConnection(ctx, {
    workspaceId: p.workspaceId,
    kind: p.kind,
    auth: 'private_app',
    tokens: { accessToken: token },
    externalAccount: who.account,
    userId: p.userId,
  });
  return who;
}
