import { readFileSync } from 'node:fs';

/** One instruction of a Dockerfile: its keyword, its `--flags` and the rest of the line. */
export interface Instruction {
  keyword: string;
  flags: Record<string, string>;
  args: string;
}

/** A build stage: its base image, its name (`AS name`) and its instructions in order. */
export interface Stage {
  image: string;
  name: string | undefined;
  instructions: Instruction[];
}

/**
 * Parses the subset of Dockerfile syntax this repository uses: comments, `\` continuations,
 * `--flag=value` options, and stages started by FROM. Enough for a test to replay the file.
 */
export function parseDockerfile(path: string | URL): Stage[] {
  const lines = readFileSync(path, 'utf8')
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const stages: Stage[] = [];
  for (const line of lines) {
    const [, keyword = '', rest = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    let args = rest;
    const flags: Record<string, string> = {};
    for (
      let flag = /^--([\w-]+)=(\S+)\s*/.exec(args);
      flag;
      flag = /^--([\w-]+)=(\S+)\s*/.exec(args)
    ) {
      flags[flag[1]!] = flag[2]!;
      args = args.slice(flag[0].length);
    }
    const upper = keyword.toUpperCase();
    if (upper === 'FROM') {
      const [, image = '', name] = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args) ?? [];
      stages.push({ image, name, instructions: [] });
    } else {
      stages.at(-1)!.instructions.push({ keyword: upper, flags, args });
    }
  }
  return stages;
}

/** `["node", "x.js"]` (exec form) as an argument list; throws on the shell form. */
export function execForm(args: string): string[] {
  const parsed: unknown = JSON.parse(args);
  if (!Array.isArray(parsed) || !parsed.every((part) => typeof part === 'string')) {
    throw new Error(`not a JSON exec form: ${args}`);
  }
  return parsed as string[];
}

/** `A=1 B="two words"` → `{ A: '1', B: 'two words' }`. */
export function envOf(args: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [, name, quoted, plain] of args.matchAll(/([\w.]+)=(?:"([^"]*)"|(\S*))/g)) {
    env[name!] = quoted ?? plain ?? '';
  }
  return env;
}
