// Collects every configuration problem so a user sees all of them at once, each naming
// its config key and the fix.

export interface ConfigProblem {
  readonly key: string;
  readonly problem: string;
  readonly fix: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(`kubeha: the stack configuration is invalid; nothing was changed on any host.\n` + problems.map((p) => `  - kubeha:${p.key}: ${p.problem}. Fix: ${p.fix}.`).join("\n"));
    this.name = "ConfigError";
  }
}

export class Problems {
  private readonly list: ConfigProblem[] = [];

  add(key: string, problem: string, fix: string): void {
    this.list.push({ key, problem, fix });
  }

  get count(): number {
    return this.list.length;
  }

  throwIfAny(): void {
    if (this.list.length > 0) throw new ConfigError(this.list);
  }
}
