// The resource graph of every seed topology, by type, name and parent: a deployed stack upgrades
// in place only if these stay the same (a changed name or parent is a replacement unless an
// alias says otherwise). The lists in tests/golden/resources/ were first written by the code of
// the previous main; KUBEHA_UPDATE_GOLDEN=1 rewrites them when a change is intended (and aliased).
import * as fs from "fs";
import * as path from "path";
import { fakeArtifactDir } from "../fixtures/artifacts";
import { runFresh } from "../fixtures/isolated";
import { seed000, seed001, seed002, seed003, withKeys } from "../fixtures/topologies";

const DIR = path.join(__dirname, "../golden/resources");

const artifacts = fakeArtifactDir();
afterAll(() => artifacts.remove());

const topologies = { seed000, seed001, seed002, seed003, seed003offline: withKeys(seed003, { packageSource: "offline", artifactDir: artifacts.dir }) };

test.each(Object.keys(topologies))(
  "%s: the same resources, names and parents",
  async (topology) => {
    const run = await runFresh(topologies[topology as keyof typeof topologies]);
    const typeOf = new Map(run.resources.map((r) => [r.name, r.type]));
    const lines = run.resources.map((r) => `${r.type} ${r.name}${r.parent ? ` < ${typeOf.get(r.parent) ?? "?"} ${r.parent}` : ""}`).sort();
    const file = path.join(DIR, `${topology}.txt`);
    if (process.env.KUBEHA_UPDATE_GOLDEN === "1") {
      fs.mkdirSync(DIR, { recursive: true });
      fs.writeFileSync(file, `${lines.join("\n")}\n`);
    }
    expect(lines).toEqual(fs.readFileSync(file, "utf8").trimEnd().split("\n"));
  },
  120000,
);
