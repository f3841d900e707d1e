// The web app: auth, review queue, RevOps settings, manager dashboard, JSON API, static assets.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import cookieParser from 'cookie-parser';
import express from 'express';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';
import { apiTokenMiddleware } from './auth/api-token.js';
import { csrfProtection } from './auth/csrf.js';
import { requireUser } from './auth/roles.js';
import { sessionMiddleware } from './auth/session.js';
import { demoSiteRoutes } from '../demo/sites.js';
import { demoFeedRoutes } from '../demo/feeds.js';
import { errorHandler } from './error-handler.js';
import { inputGuard } from './input-guard.js';
import { redactedRequest } from './log-redact.js';
import { serverTiming } from './server-timing.js';
import { openApiDocument } from './openapi.js';
import { accountRoutes, uploadCsv } from './routes/accounts.js';
import { apiRoutes } from './routes/api.js';
import { apiTokenRoutes } from './routes/api-tokens.js';
import { authRoutes } from './routes/auth.js';
import { dashboardRoutes } from './routes/dashboard.js';
import { draftRoutes } from './routes/draft.js';
import { createMetrics, healthRoutes } from './routes/health.js';
import { homeRoutes } from './routes/home.js';
import { mailboxOAuthRoutes } from './routes/mailboxes-oauth.js';
import { signInOrigins } from '../mailboxes/oauth/providers.js';
import { queueRoutes } from './routes/queue.js';
import { stepApprovalRoutes } from './routes/step-approval.js';
import { stepApprovalApiRoutes } from './routes/step-approval-api.js';
import { replyRoutes } from './routes/replies.js';
import { settingsAccountRoutes } from './routes/settings-accounts.js';
import { settingsImportRoutes } from './routes/settings-imports.js';
import { settingsInboundSecretRoutes } from './routes/settings-inbound-secret.js';
import { settingsMailboxRoutes } from './routes/settings-mailboxes.js';
import { mailboxDeleteRoutes } from './routes/mailbox-delete.js';
import { scheduleRoutes } from './routes/schedule.js';
import { settingsSourceRoutes } from './routes/settings-sources.js';
import { settingsTemplateRoutes } from './routes/settings-templates.js';
import { settingsWorkspaceRoutes } from './routes/settings-workspace.js';
import { crmRoutes } from './routes/crm.js';
import { signalApiRoutes, signalWebhookRoutes } from './routes/signals-api.js';
import { signalRoutes } from './routes/signals.js';
import { trackingRoutes } from './routes/tracking.js';
import { needsContactRoutes } from './routes/needs-contact.js';
import { outboxRoutes } from './routes/outbox.js';
import { passwordChangeGate, passwordRoutes } from './routes/passwords.js';
import { profileRoutes } from './routes/profile.js';
import { exportRoutes } from './routes/export.js';
import { mergeRoutes } from './routes/merge.js';
import { playRoutes, playWebhookRoutes } from './routes/plays.js';
import { experimentRoutes } from './routes/experiments.js';
import { userRoutes } from './routes/users.js';

const STATIC_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'static');

export function createApp(ctx: AppContext): express.Express {
  const app = express();
  app.disable('x-powered-by');
  // X-Forwarded-For only from the proxies the operator names (TRUST_PROXY); otherwise anyone could
  // pick the address that login throttling and audit records see.
  app.set('trust proxy', ctx.config.trustProxy ?? false);
  const metrics = createMetrics(ctx);
  // First, so its `app` time covers every middleware.
  app.use(serverTiming);

  // helmet's default CSP asks the browser to upgrade every request to https: on a plain-http
  // deployment (a LAN name, `docker compose up`) the login form would post to an https port that
  // does not answer. Only an https PUBLIC_URL gets the upgrade.
  const https = ctx.config.publicUrl.startsWith('https:');
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          'script-src': ["'self'"],
          'img-src': ["'self'", 'data:'],
          // Styles come from our own files only: an injected style attribute or <style> cannot restyle a page.
          'style-src': ["'self'"],
          'upgrade-insecure-requests': https ? [] : null,
          // "Connect Google / Microsoft" posts here and is redirected to the provider's sign-in page.
          'form-action': ["'self'", ...signInOrigins(ctx.config)],
        },
      },
      strictTransportSecurity: https,
    }),
  );
  app.use(
    pinoHttp({
      logger: ctx.log.child({ component: 'http' }),
      autoLogging: { ignore: (req) => req.url === '/healthz' },
      serializers: { req: redactedRequest },
      customLogLevel: (_req, res, err) =>
        err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
    }),
  );
  app.use(metrics.middleware);
  app.use('/static', express.static(STATIC_DIR, { maxAge: '1h' }));
  // Everything past the static files is per user or per moment: no browser or proxy keeps a copy
  // (a one-time password page above all).
  app.use((_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });
  // Signed provider webhooks need the raw body, so they come before the body parsers; the demo's
  // fixture feeds are public. Neither uses a session.
  app.use(signalWebhookRoutes(ctx));
  // Links in sent mail (clicks, one-click unsubscribe) and signed inbound/booking webhooks: no session.
  app.use(trackingRoutes(ctx));
  // Inbound product events (trial signup…) signed with the workspace's secret: start a play.
  app.use(playWebhookRoutes(ctx));
  app.use(demoFeedRoutes(ctx));
  app.use(cookieParser());
  app.use(express.urlencoded({ extended: false, limit: '1mb' }));
  app.use(express.json({ limit: '2mb' }));
  app.use(inputGuard);

  app.use(sessionMiddleware(ctx.db));
  app.use(apiTokenMiddleware(ctx.db));
  // The one multipart form (CSV upload) is parsed before the CSRF check reads its `_csrf` field,
  // and only for users allowed to import, so nobody else can make the server buffer a file.
  app.post('/imports', (req, res, next) =>
    req.user && ['revops', 'admin'].includes(req.user.role) ? uploadCsv(req, res, next) : next(),
  );
  app.use(csrfProtection);

  // Public: health for load balancers, the login form.
  app.use(healthRoutes(ctx, metrics.registry));
  app.use(authRoutes(ctx));
  // Public while a demo workspace exists: the fictional company sites research reads in demo mode.
  app.use(demoSiteRoutes(ctx));

  // The API's description is public: it holds no data, and clients fetch it before they have a token.
  app.get('/api/openapi.json', (_req, res) => {
    res.json(openApiDocument(ctx.config.publicUrl));
  });

  // Everything below needs a user.
  app.use(requireUser);
  // A one-time password (an admin's reset) opens only the change-password form until it is changed.
  app.use(passwordChangeGate);
  app.use(passwordRoutes(ctx));
  app.use(profileRoutes(ctx));
  app.use(exportRoutes(ctx));
  app.use(mergeRoutes(ctx));
  // Before the /api catch-all: plays serve pages and their own /api/plays routes.
  app.use(playRoutes(ctx));
  app.use(experimentRoutes(ctx));
  app.use(needsContactRoutes(ctx));
  // The outbox pages and their /api/outbox twins.
  app.use(outboxRoutes(ctx));
  app.use(scheduleRoutes(ctx));
  app.use('/api', stepApprovalApiRoutes(ctx));
  app.use('/api', signalApiRoutes(ctx));
  app.use(apiTokenRoutes(ctx));
  app.use('/api', apiRoutes(ctx));
  app.use(homeRoutes(ctx));
  app.use(signalRoutes(ctx));
  app.use(stepApprovalRoutes(ctx));
  app.use(queueRoutes(ctx));
  app.use(draftRoutes(ctx));
  app.use(replyRoutes(ctx));
  app.use(dashboardRoutes(ctx));
  app.use(settingsAccountRoutes(ctx));
  app.use(settingsImportRoutes(ctx));
  app.use(accountRoutes(ctx));
  app.use(settingsSourceRoutes(ctx));
  app.use(settingsTemplateRoutes(ctx));
  app.use(mailboxOAuthRoutes(ctx));
  app.use(settingsMailboxRoutes(ctx));
  app.use(mailboxDeleteRoutes(ctx));
  app.use(settingsInboundSecretRoutes(ctx));
  app.use(settingsWorkspaceRoutes(ctx));
  app.use(crmRoutes(ctx));
  app.use(userRoutes(ctx));

  app.use(() => {
    throw new AppError('NOT_FOUND', 'There is no page here.');
  });
  app.use(errorHandler(ctx.log));
  return app;
}
