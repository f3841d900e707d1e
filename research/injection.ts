// Instruction-like text in fetched pages. Such text stays data: it is flagged on the fact and
// shown to the rep; nothing in a page can add recipients, links or tool calls downstream.
const PATTERNS: RegExp[] = [
  new RegExp(
    [
      String.raw`\b(ignore|disregard|forget|override)\b.{0,40}`,
      String.raw`\b(previous|prior|above|earlier|all|your)\b.{0,20}`,
      String.raw`\b(instructions?|prompts?|rules|directions)\b`,
    ].join(''),
    'i',
  ),
  /\bsend (this|it|that|the|an? (e-?mail|copy|message)|all|everything)\b.{0,60}\bto\b/i,
  /\b(forward|cc|bcc|email|e-mail)\b.{0,40}\bto\b.{0,40}[\w.+-]+@[\w-]+\.[\w.]+/i,
  /(^|\n|\s)(system|assistant|developer)\s*:/i,
  /\byou are (now )?(an?|the) (ai|assistant|language model|agent)\b/i,
  /\b(new|updated) instructions?\b/i,
  /<\/?(system|instructions?|tool_use|function_calls?)>/i,
  /\b(call|use|invoke) the \w+ tool\b/i,
];

const INSTRUCTION_LIKE = 'instruction_like';

export function injectionFlags(...texts: string[]): string[] {
  return texts.some((t) => PATTERNS.some((p) => p.test(t))) ? [INSTRUCTION_LIKE] : [];
}
