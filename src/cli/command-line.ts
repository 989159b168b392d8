/** What every command does with its arguments: parse them strictly, answer --help, print tables. */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { usageError } from './cli-error.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * Parses a command's arguments, or prints its usage and returns null for
 * `--help`.
 *
 * @throws CliError (usage) for unknown options or missing values.
 */
export function parseCommand<T extends Options>(args: string[], options: T, usage: string) {
  const config = { args, options: { ...options, help: { type: 'boolean', short: 'h' } } as const, allowPositionals: true, strict: true } as const;
  let parsed: ReturnType<typeof parseArgs<typeof config>>;
  try {
    parsed = parseArgs(config);
  } catch (err) {
    if (String((err as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS')) throw usageError((err as Error).message, usage);
    throw err;
  }
  if ((parsed.values as { help?: boolean }).help) {
    process.stdout.write(`${usage}\n`);
    return null;
  }
  return parsed;
}

/**
 * Rows as left-aligned columns, the last one not padded.
 *
 * @example table(['ID', 'SIZE'], [['a', '1 kB']]) // 'ID  SIZE\na   1 kB\n'
 */
export function table(header: string[], rows: string[][]): string {
  const all = [header, ...rows];
  const widths = header.map((_, column) => Math.max(...all.map((row) => (row[column] ?? '').length)));
  return all
    .map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  '))
    .join('\n')
    .concat('\n');
}
