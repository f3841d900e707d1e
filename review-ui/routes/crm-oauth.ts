// Settings → CRM: connecting through the CRM's sign-in page (OAuth code flow; Salesforce with PKCE on
// the production or sandbox login host, HubSpot's public app). The pending flow is kept in oauth_flows like
// the mailbox connect, as a CRM flow (purpose 'crm', Salesforce's login host in its own column: migration
// 0032): the state only as its sha256, the code verifier sealed, bound to the session that clicked, usable once.
import { createHash, randomBytes } from 'node:crypto';
import { Router, type Request } from 'express';
import type { AppContext } from '../../context.js';
import { kindModule, saveConnection } from '../../crm/connection.js';
import { CRM_NAMES, isCrmError, type CrmKind } from '../../crm/provider.js';
import { crmKind } from '../../crm/registry.js';
import { one, run } from '../../db/index.js';
import { deleteOldOAuthFlows } from '../../db/queries/mailbox-oauth.js';
import { consumeCrmOAuthFlow, findCrmConnection, insertCrmOAuthFlow } from '../../db/queries/crm.js';
import { AppError } from '../../errors.js';
import { authedRouter } from '../authed.js';
import { requireRole } from '../auth/roles.js';
import { auditRequest } from '../audit.js';

const FLOW_TTL_MS = 10 * 60_000;
const CRM_CALLBACK_PATH = '/settings/crm/callback';
const sha256 = (s: string) => createHash('sha256').update(s).digest('base64url');
const redirectUri = (ctx: Pick<AppContext, 'config'>) => ctx.config.publicUrl + CRM_CALLBACK_PATH;

const OAUTH_KINDS: CrmKind[] = ['hubspot', 'salesforce'];

const refused = (kind: CrmKind | undefined, why: string) =>
  new AppError(
    'VALIDATION',
    `${kind ? CRM_NAMES[kind] : 'The CRM'} sign-in did not complete: ${why}. Start again from Settings → CRM.`,
  );

export function crmOAuthRoutes(ctx: AppContext): Router {
  const r = authedRouter();
  const revops = requireRole('revops');
  const session = (req: Request) => {
    if (!req.sessionId) throw new AppError('FORBIDDEN', 'Connecting a CRM needs a browser session, not an API token.');
    return req.sessionId;
  };

  r.post('/settings/crm/oauth/:kind', revops, async (req, res, user) => {
    const kind = OAUTH_KINDS.find((k) => k === req.params.kind);
    if (!kind || !crmKind(kind)?.oauthConfigured(ctx))
      throw new AppError('NOT_FOUND', 'That CRM sign-in is not configured.');
    const mod = kindModule(kind);
    const sandbox = kind === 'salesforce' && (req.body as Record<string, unknown> | undefined)?.host === 'sandbox';
    const state = randomBytes(32).toString('base64url');
    const verifier = randomBytes(48).toString('base64url');
    const now = new Date();
    await run(ctx.db, deleteOldOAuthFlows(now));
    await run(
      ctx.db,
      insertCrmOAuthFlow({
        stateHash: sha256(state),
        sessionId: session(req),
        workspaceId: user.workspaceId,
        userId: user.id,
        kind,
        codeVerifierEnc: ctx.secrets.seal(verifier),
        loginHost: kind === 'salesforce' ? (sandbox ? 'sandbox' : 'production') : null,
        expiresAt: new Date(now.getTime() + FLOW_TTL_MS),
      }),
    );
    const codeChallenge = createHash('sha256').update(verifier).digest('base64url');
    res.redirect(303, mod.authorizeUrl(ctx, { state, codeChallenge, redirectUri: redirectUri(ctx), sandbox }).href);
  });

  r.get(CRM_CALLBACK_PATH, revops, async (req, res, user) => {
    const q = req.query as Record<string, unknown>;
    const state = typeof q.state === 'string' ? q.state : '';
    const flow = state ? await one(ctx.db, consumeCrmOAuthFlow(sha256(state), session(req), new Date())) : undefined;
    const kind = OAUTH_KINDS.find((k) => k === flow?.provider);
    if (!flow || !kind || flow.user_id !== user.id || flow.workspace_id !== user.workspaceId)
      throw refused(kind, 'this sign-in link is not valid any more (expired, used, or started in another session)');
    if (typeof q.error === 'string' || typeof q.code !== 'string')
      throw refused(kind, q.error === 'access_denied' ? 'access was not allowed' : 'the CRM refused');
    const sandbox = flow.login_host === 'sandbox';
    const mod = kindModule(kind);
    let who: { account: string; label: string };
    try {
      const tokens = await mod.exchangeCode(ctx, {
        code: q.code,
        codeVerifier: ctx.secrets.open(flow.code_verifier_enc),
        redirectUri: redirectUri(ctx),
        sandbox,
      });
      const probe = mod.create(
        ctx,
        { workspaceId: flow.workspace_id, kind, auth: 'oauth', instanceUrl: tokens.instanceUrl ?? null },
        { accessToken: () => Promise.resolve(tokens.accessToken), instanceUrl: () => tokens.instanceUrl ?? null },
      );
      who = await probe.whoAmI();
      await saveConnection(ctx, {
        workspaceId: flow.workspace_id,
        kind,
        auth: 'oauth',
        tokens,
        externalAccount: who.account,
        userId: flow.user_id,
      });
    } catch (err) {
      if (isCrmError(err)) throw refused(kind, err.message);
      throw err;
    }
    const c = (await one(ctx.db, findCrmConnection(flow.workspace_id)))!;
    await auditRequest(
      ctx.db,
      req,
      'crm.connected',
      { type: 'crm_connection', id: c.id },
      {
        kind,
        account: who.account,
        sandbox,
      },
    );
    ctx.log.info({ workspaceId: flow.workspace_id, kind, sandbox }, 'crm.oauth.connected');
    res.redirect(303, '/settings/crm?saved=1');
  });
  return r.router;
}
