// The JSON API's description, generated from the same zod schemas the routes parse with, so
// the document cannot drift from what the server accepts. Each api-*.ts file declares its
// endpoints with `endpoint(...)`; `/api/openapi.json` renders them.
import { z } from 'zod';
import { AppError } from '../errors.js';
import { issues } from '../zod-message.js';

type Method = 'get' | 'post' | 'patch' | 'put' | 'delete';

interface Endpoint {
  method: Method;
  /** Express style (`/drafts/:id`), relative to /api. */
  path: string;
  summary: string;
  tag: string;
  /** Who may call it, in words (the server enforces it). */
  roles?: string;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** For a non-JSON request body, e.g. text/csv. */
  bodyContentType?: string;
  response?: z.ZodType;
  status?: number;
}

const registry = new Map<string, Endpoint>();

export function endpoint<E extends Endpoint>(e: E): E {
  registry.set(`${e.method} ${e.path}`, e);
  return e;
}

const ErrorBody = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

const schema = (s: z.ZodType, io: 'input' | 'output') =>
  z.toJSONSchema(s, { io, unrepresentable: 'any', target: 'openapi-3.0' }) as Record<string, unknown>;

export function openApiDocument(serverUrl: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const e of [...registry.values()].sort((a, b) => a.path.localeCompare(b.path))) {
    const path = '/api' + e.path.replace(/:(\w+)/g, '{$1}');
    const params = [...e.path.matchAll(/:(\w+)/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: { type: m[1] === 'kind' ? 'string' : 'integer' },
    }));
    if (e.query) {
      const q = schema(e.query, 'input') as { properties?: Record<string, unknown>; required?: string[] };
      for (const [name, s] of Object.entries(q.properties ?? {}))
        params.push({ name, in: 'query', required: (q.required ?? []).includes(name), schema: s as never });
    }
    const op: Record<string, unknown> = {
      summary: e.summary,
      tags: [e.tag],
      ...(e.roles ? { description: `Roles: ${e.roles}.` } : {}),
      ...(params.length ? { parameters: params } : {}),
      responses: {
        [String(e.status ?? 200)]: {
          description: 'OK',
          ...(e.response ? { content: { 'application/json': { schema: schema(e.response, 'output') } } } : {}),
        },
        default: { description: 'Error', content: { 'application/json': { schema: schema(ErrorBody, 'output') } } },
      },
    };
    if (e.body)
      op.requestBody = {
        required: true,
        content: { [e.bodyContentType ?? 'application/json']: { schema: schema(e.body, 'input') } },
      };
    (paths[path] ??= {})[e.method] = op;
  }
  return {
    openapi: '3.0.3',
    info: {
      title: 'Prospector API',
      version: '1',
      description:
        'Every action of the review UI. Authenticate with `Authorization: Bearer <token>` ' +
        '(create one at POST /api/tokens from a browser session), or a session cookie plus `X-CSRF-Token` on writes.',
    },
    servers: [{ url: serverUrl }],
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    security: [{ bearer: [] }],
    paths,
  };
}

// Zod failures in words ("Daily cap must be a whole number"): one function, zod-message.ts (a leaf every layer may use).
export { issues };

export function parseInput<S extends z.ZodType>(s: S, v: unknown): z.output<S> {
  const r = s.safeParse(v);
  if (!r.success) throw new AppError('VALIDATION', issues(r.error));
  return r.data;
}

/** A raw request body (a signed webhook's) read as JSON, then as `s`. */
export function parseJsonBody<S extends z.ZodType>(s: S, body: Buffer): z.output<S> {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    throw new AppError('VALIDATION', 'The body is not JSON.');
  }
  return parseInput(s, json);
}
