import { formatLogLine } from "./log-format.js";

const palette = [36, 35, 33, 32, 34, 96, 95, 93, 92, 94];
const levelColors: Record<number, number> = { 40: 33, 50: 31, 60: 31 };

/**
 * Writes each child's log lines as `[name]     <formatted line>`, names padded to one
 * width, coloured per process (and warnings/errors by level) when writing to a terminal.
 */
export class PrefixedOutput {
  private readonly width: number;
  private readonly colors = new Map<string, number>();

  constructor(
    private readonly stream: NodeJS.WritableStream,
    names: readonly string[],
    private readonly color: boolean,
  ) {
    this.width = Math.max(...names.map((n) => n.length + 2), 10);
    names.forEach((name, i) => {
      this.colors.set(name, palette[i % palette.length] as number);
    });
  }

  /** One raw line from a child (pino JSON or anything else). */
  line(name: string, raw: string): void {
    if (raw.trim() === "") return;
    const { text, level } = formatLogLine(raw);
    const prefix = `[${name}]`.padEnd(this.width);
    const body = this.paint(levelColors[level], text);
    const lines = body.split("\n").map((l) => `${this.paint(this.colors.get(name), prefix)} ${l}`);
    this.stream.write(`${lines.join("\n")}\n`);
  }

  /** Text printed as is (the demo's instructions). */
  plain(text: string): void {
    this.stream.write(text.endsWith("\n") ? text : `${text}\n`);
  }

  private paint(code: number | undefined, text: string): string {
    return this.color && code !== undefined ? `\u001b[${code}m${text}\u001b[0m` : text;
  }
}
