// Types for bin/build.js (plain JavaScript, so it runs before any TypeScript loader exists).
export declare function sourceKey(root?: string): { files: string[]; key: string };
export declare function ensureBuild(root?: string): Promise<string>;
