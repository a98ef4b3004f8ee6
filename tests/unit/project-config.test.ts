// Pulumi.yaml, config/defaults.ts and the README's config reference describe the same keys.
import * as fs from "fs";
import * as path from "path";
import { DEFAULTS } from "../../config/defaults";
import { declaredConfig } from "../fixtures/projectConfig";

const declared = declaredConfig();

test("every declared key has a description", () => {
  expect(declared.length).toBeGreaterThan(20);
  for (const key of declared) expect({ key: key.key, description: key.description.length > 10 }).toEqual({ key: key.key, description: true });
});

test("every scalar key has the same default in Pulumi.yaml and config/defaults.ts", () => {
  for (const [key, value] of Object.entries(DEFAULTS)) {
    const entry = declared.find((d) => d.key === key);
    expect({ key, declared: !!entry }).toEqual({ key, declared: true });
    const text = entry!.defaultText!;
    const parsed = text === '""' ? "" : text === "[]" ? [] : text === "true" || text === "false" ? text === "true" : /^\d+$/.test(text) ? Number(text) : text;
    expect({ key, default: parsed }).toEqual({ key, default: value });
  }
});

test("hosts is the one key without a default: the CLI refuses a stack that does not set it", () => {
  expect(declared.filter((d) => d.defaultText === undefined).map((d) => d.key)).toEqual(["hosts"]);
});

test("the README's config reference lists exactly the declared keys", () => {
  const readme = fs.readFileSync(path.join(__dirname, "../../README.md"), "utf8");
  const section = readme.split("## Configuration reference")[1]?.split("\n## ")[0] ?? "";
  const listed = [...section.matchAll(/^\| `kubeha:(\w+)` \|/gm)].map((m) => m[1]);
  expect(listed.sort()).toEqual(declared.map((d) => d.key).sort());
});
