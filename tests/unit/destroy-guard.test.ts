// kubeha:allowDestroy and the destroy guard's provider (issue 12 part 6): the config value, and
// the refusal the guard's delete gives when it was not set. The guard's place in the dependency
// graph is checked per topology under mocks (tests/components/topology.ts); a refused and an
// allowed `pulumi destroy` run in the lab (tests/e2e/topologies.test.ts, seed 000).
import { guardProvider, refusalMessage } from "../../components/cluster/destroyGuard";
import { validateConfig } from "../../config/validate";
import { expectRejected } from "../fixtures/problems";
import { fakeFiles, seed000, withKeys } from "../fixtures/topologies";

const props = { allowed: false, clusterName: "prod-a", stack: "prod" };

describe("kubeha:allowDestroy", () => {
  test("is false unless set, and true when set", () => {
    expect(validateConfig(seed000, fakeFiles).allowDestroy).toBe(false);
    expect(validateConfig(withKeys(seed000, { allowDestroy: true }), fakeFiles).allowDestroy).toBe(true);
    expect(validateConfig(withKeys(seed000, { allowDestroy: "true" }), fakeFiles).allowDestroy).toBe(true);
  });

  test("anything but a boolean is refused, naming the key", () => {
    expectRejected(withKeys(seed000, { allowDestroy: "yes" }), "allowDestroy", /true or false/);
  });

  test("a misspelling is refused with the right name", () => {
    expectRejected(withKeys(seed000, { allowDestory: true }), "allowDestory", /did you mean kubeha:allowDestroy/);
  });
});

describe("the destroy guard's provider", () => {
  test("refuses its deletion unless allowed, with a message naming the key, the stack and the three commands", async () => {
    const message = refusalMessage(props);
    expect(message).toContain("kubeha refuses to destroy cluster prod-a (stack prod)");
    expect(message).toContain("Nothing was touched");
    expect(message).toContain("`pulumi config set kubeha:allowDestroy true --stack prod`, `pulumi up` (it changes only this guard), then `pulumi destroy`");
    await expect(guardProvider.delete!("prod-prod-a", { ...props, message })).rejects.toThrow(message);
    await expect(guardProvider.delete!("prod-prod-a", { ...props, allowed: true, message })).resolves.toBeUndefined();
  });

  test("a deployed guard records no allowed value but true: an unreadable state refuses too", async () => {
    await expect(guardProvider.delete!("x", { message: "refused" })).rejects.toThrow("refused");
    await expect(guardProvider.delete!("x", { allowed: "true", message: "refused" })).rejects.toThrow("refused");
  });

  test("a change of the setting is an update in place, never a replacement (that would delete the guard)", async () => {
    const olds = { ...props, version: 1, message: "m" };
    expect(await guardProvider.diff!("id", olds, { ...olds, allowed: true })).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
    expect(await guardProvider.diff!("id", olds, { ...olds, clusterName: "other" })).toMatchObject({ changes: true, replaces: [] });
    expect(await guardProvider.diff!("id", olds, { ...olds })).toMatchObject({ changes: false, replaces: [] });
    expect(await guardProvider.update!("id", olds, { ...olds, allowed: true })).toEqual({ outs: { ...olds, allowed: true } });
  });
});
