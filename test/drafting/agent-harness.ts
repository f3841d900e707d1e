// The draft agent as the worker runs it, and a test config that points the real SDK at the fake
// Messages API (no SDK retries, so a scripted error is seen at once).
import { draftAgent } from '../../agents/draft.js';
import type { Payload } from '../../agents/queues.js';
import type { Helpers } from '../../agents/runtime.js';
import type { Config } from '../../config.js';
import type { AppContext } from '../../context.js';
import { createLlm } from '../../llm/client.js';
import { testConfig } from '../support/context.js';
import type { TestDb } from '../support/db.js';
import type { FakeAnthropic } from '../support/fake-anthropic.js';

const onlineConfig = (t: Pick<TestDb, 'url'>, fake: FakeAnthropic): Config =>
  testConfig(t, {
    ANTHROPIC_API_KEY: 'test-key',
    ANTHROPIC_BASE_URL: fake.url,
    ANTHROPIC_MODEL: 'claude-sonnet-5-5',
    ANTHROPIC_MAX_RETRIES: '0',
  });

/** The context with the fake Messages API's client in place of its own. */
export const onlineContext = (ctx: AppContext, t: Pick<TestDb, 'url'>, fake: FakeAnthropic): AppContext => {
  const config = onlineConfig(t, fake);
  return { ...ctx, config, llm: createLlm(config) };
};

export const runDraftJob = (c: AppContext, payload: Payload<'draft'>) =>
  draftAgent.handler(payload, { ...c, jobId: 'test-job', signal: new AbortController().signal } as Helpers);
