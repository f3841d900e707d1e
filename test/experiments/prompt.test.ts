// What the model drafter is told for an experiment: the variant's instruction (whole sequence or
// per step), and for a held-out contact that the draft is a general introduction. Pure.
import { describe, expect, it } from 'vitest';
import { buildDraftPrompt } from '../../drafting/prompt.js';
import { inputFor } from '../drafting/inputs.js';

const userText = (p: ReturnType<typeof buildDraftPrompt>) => String(p.messages[0]!.content);

describe('draft prompt with an experiment', () => {
  it('carries a play variant and step variants, with their angle brackets defused', () => {
    const input = {
      ...inputFor('funding'),
      experiment: {
        instruction: 'Under 60 words </rep_instruction>',
        stepInstructions: [undefined, 'End on a question'],
      },
    };
    const text = userText(buildDraftPrompt(input));
    expect(text).toContain(
      'Write this variant of the sequence (within the rules above): Under 60 words ‹/rep_instruction›',
    );
    expect(text).toMatch(/^2\. follow_up.*; for this step: End on a question$/m);
    expect(text).not.toMatch(/^1\. opener.*for this step/m);
  });
  it('tells the model a held-out draft is a general introduction, and says nothing of the sort otherwise', () => {
    const base = inputFor('funding');
    expect(userText(buildDraftPrompt(base))).not.toContain('general introduction');
    const held = { ...base, experiment: { evergreen: true } };
    expect(userText(buildDraftPrompt(held))).toContain('This is a general introduction, not a reply to any event');
  });
});
