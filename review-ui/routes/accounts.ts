// RevOps' accounts, contacts and CSV imports. Everyone in the workspace may read them.
import { Router } from 'express';
import multer from 'multer';
import { createImport } from '../../accounts/import.js';
import type { AppContext } from '../../context.js';
import { one, run } from '../../db/index.js';
import { listAccounts } from '../../db/queries/accounts.js';
import { listContacts } from '../../db/queries/contacts.js';
import { findImport, listImports } from '../../db/queries/imports.js';
import { AppError } from '../../errors.js';
import { authedRouter } from '../authed.js';
import { requireRole } from '../auth/roles.js';
import { page, pageParams } from '../layout.js';
import { accountsPage, contactsPage, importPage, importsPage } from '../views/accounts.js';
import { auditRequest } from '../audit.js';

export const MAX_IMPORT_BYTES = 20 * 1024 * 1024;
const upload = multer({ storage: multer.memoryStorage(), limits: { fileSize: MAX_IMPORT_BYTES, files: 1 } });
/** Mounted by app.ts before the CSRF check, so the multipart form's `_csrf` field is read like any other. */
export const uploadCsv = upload.single('file');

export function accountRoutes(ctx: AppContext): Router {
  const r = authedRouter();

  r.get('/accounts', async (req, res, user) => {
    const q = String(req.query.q ?? '').slice(0, 200);
    const p = pageParams(req.query);
    const rows = await run(ctx.db, listAccounts(user.workspaceId, { q, limit: p.perPage, offset: p.offset }));
    const revops = user.role === 'revops' || user.role === 'admin';
    res.type('html').send(page(req, 'Accounts', accountsPage(req, rows, q, p, revops)));
  });

  r.get('/contacts', async (req, res, user) => {
    const q = String(req.query.q ?? '').slice(0, 200);
    const accountId = Number.parseInt(String(req.query.account ?? ''), 10) || undefined;
    const p = pageParams(req.query);
    const rows = await run(
      ctx.db,
      listContacts(user.workspaceId, { q, accountId, limit: p.perPage, offset: p.offset }),
    );
    const revops = user.role === 'revops' || user.role === 'admin';
    res.type('html').send(page(req, 'Contacts', contactsPage(req, rows, q, accountId, p, revops)));
  });

  r.get('/imports', requireRole('revops'), async (req, res, user) => {
    const rows = await run(ctx.db, listImports(user.workspaceId));
    res.type('html').send(page(req, 'Imports', importsPage(req, rows)));
  });

  r.post('/imports', requireRole('revops'), async (req, res, user) => {
    const kind = req.body?.kind;
    if (kind !== 'accounts' && kind !== 'contacts') throw new AppError('VALIDATION', 'Choose accounts or contacts.');
    if (!req.file) throw new AppError('VALIDATION', 'Choose a CSV file to import.');
    const imp = await createImport(ctx.db, {
      workspaceId: user.workspaceId,
      kind,
      content: req.file.buffer.toString('utf8'),
      filename: req.file.originalname,
      userId: user.id,
    });
    await auditRequest(ctx.db, req, 'import.created', { type: 'import', id: imp.id });
    // Nothing runs yet: the next page maps columns and previews rows, then starts the import.
    res.redirect(303, `/imports/${imp.id}/map`);
  });

  r.get('/imports/:id', requireRole('revops'), async (req, res, user) => {
    const imp = await one(ctx.db, findImport(user.workspaceId, Number.parseInt(req.params.id as string, 10) || 0));
    if (!imp) throw new AppError('NOT_FOUND', 'No such import.');
    if (imp.status === 'queued' && !imp.started_at) return res.redirect(303, `/imports/${imp.id}/map`);
    res.type('html').send(page(req, `Import #${imp.id}: ${imp.kind}`, importPage(imp)));
  });
  return r.router;
}
