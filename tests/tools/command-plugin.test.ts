// kubeha's own command provider (provider/command): its Go tests (diff, secrets,
// preview without connections, refused resource types) run with the Go toolchain the build uses.
import { spawnSync } from "child_process";
import * as path from "path";

test("the command plugin's Go tests pass", () => {
  const dir = path.join(__dirname, "../../provider/command");
  const result = spawnSync("go", ["test", "-count=1", "./..."], {
    cwd: dir,
    encoding: "utf8",
    timeout: 600000,
    env: { ...process.env, PATH: `${process.env.PATH}:/usr/local/go/bin`, GOFLAGS: "-mod=readonly", CGO_ENABLED: "0" },
  });
  expect({ status: result.status, output: result.status === 0 ? "" : `${result.stdout}${result.stderr}` }).toEqual({ status: 0, output: "" });
}, 600000);
