// Switching an existing stack to VRRP version 3 and the fast leader election changes files, never
// the set of resources (no resource is created, deleted or replaced by name).
import { runFresh } from "../fixtures/isolated";
import { seed003tuned } from "../fixtures/renderedFiles";
import { seed003 } from "../fixtures/topologies";

test("seed 003 and seed 003 with the non-default failover settings have the same resources", async () => {
  const names = async (raw: typeof seed003) => (await runFresh(raw)).resources.map((r) => `${r.type} ${r.name}`).sort();
  const before = await names(seed003);
  const after = await names(seed003tuned);
  expect(after.length).toBeGreaterThan(50);
  expect(after).toEqual(before);
}, 60000);
