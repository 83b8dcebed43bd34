// One child process of the stack: started in a process group of its own (so that a
// Ctrl-C in the terminal reaches only the runner, which then stops the children in
// order, and so that stopping it also stops anything it started), with each line
// it writes passed on with its name in front.
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";

export interface ProcessSpec {
  name: string;
  command: string;
  args: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Written to the process's stdin, which is then closed. */
  stdin?: string;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export type LineSink = (name: string, line: string) => void;

export class ManagedProcess {
  readonly name: string;
  /** Resolves when the process has exited. */
  readonly exited: Promise<Exit>;
  /** Set once stop() was called: an exit after that was asked for. */
  stopping = false;
  private readonly child: ChildProcess;
  private readonly recent: string[] = [];
  private exit: Exit | undefined;

  constructor(spec: ProcessSpec, sink: LineSink) {
    this.name = spec.name;
    this.child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: spec.env,
      detached: true, // its own process group: see stop()
      stdio: [spec.stdin === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    if (spec.stdin !== undefined) this.child.stdin!.on("error", () => {}).end(spec.stdin);
    const onLine = (line: string) => {
      this.recent.push(line);
      if (this.recent.length > 20) this.recent.shift();
      sink(this.name, line);
    };
    createInterface({ input: this.child.stdout! }).on("line", onLine);
    createInterface({ input: this.child.stderr! }).on("line", onLine);
    this.exited = new Promise((resolve) => {
      // "error" without "close" when the command cannot be started at all.
      this.child.once("error", (err) => {
        onLine(`cannot start ${spec.command}: ${err.message}`);
        if (this.child.pid === undefined) this.settle({ code: 127, signal: null }, resolve);
      });
      this.child.once("close", (code, signal) => this.settle({ code, signal }, resolve));
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.exit === undefined;
  }

  /** The last lines it wrote, to explain a failure. */
  get lastLines(): string[] {
    return [...this.recent];
  }

  /**
   * SIGTERM to the whole process group, SIGKILL after `graceMs` if it is still
   * there. Resolves once the process has exited.
   */
  async stop(graceMs: number): Promise<Exit> {
    this.stopping = true;
    if (this.exit !== undefined) {
      this.killGroup("SIGKILL"); // anything the process left behind in its group
      return this.exit;
    }
    this.killGroup("SIGTERM");
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), graceMs)));
    const first = await Promise.race([this.exited, timeout]);
    clearTimeout(timer);
    if (first === "timeout") this.killGroup("SIGKILL");
    const exit = await this.exited;
    this.killGroup("SIGKILL");
    return exit;
  }

  /** Synchronous last resort, for process.on("exit"). */
  kill(): void {
    this.stopping = true;
    if (this.exit === undefined) this.killGroup("SIGKILL");
  }

  private killGroup(signal: NodeJS.Signals): void {
    if (this.child.pid === undefined) return;
    try {
      process.kill(-this.child.pid, signal);
    } catch {
      // ESRCH: the group is gone already
    }
  }

  private settle(exit: Exit, resolve: (exit: Exit) => void): void {
    if (this.exit !== undefined) return;
    this.exit = exit;
    resolve(exit);
  }
}

export function describeExit({ code, signal }: Exit): string {
  return signal !== null ? `killed by ${signal}` : `exit code ${code}`;
}
