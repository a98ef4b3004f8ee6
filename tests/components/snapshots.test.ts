// Snapshots of every rendered template, per topology (first host of each file). A change to a
// template shows up here as a reviewable diff; update with `npx jest -u` when intended.
import { renderAllTopologies, RenderedFile } from "../fixtures/renderedFiles";

const RANDOM = /\.key$|kubeadm-(?:re)?join\.yaml$|bootstrap-token$|kubeha-auth\.conf$|\.crt$|\.pub$/;

let rendered: { files: RenderedFile[]; scripts: RenderedFile[] };
beforeAll(async () => {
  rendered = await renderAllTopologies();
}, 120000);

function firstPerPath(files: RenderedFile[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of files) {
    const key = `${f.topology} ${f.path.replace(/-[a-z0-9]+-(\w+)$/, "")}`;
    if (!(key in out)) out[key] = f.content.replace(/^# kubeha inputs: .*$/m, "# kubeha inputs: <hashes>");
  }
  return out;
}

test("rendered files", () => {
  expect(firstPerPath(rendered.files.filter((f) => !RANDOM.test(f.path)))).toMatchSnapshot();
});

test("rendered scripts", () => {
  const scripts = rendered.scripts.map((s) => ({ ...s, path: s.path.replace(/^kubeha-(\w+)-[^-]+(?:-[^-]+)*?-(packages|prepare|containerd|kubernetes|start|healthy|nginx-apply|keepalived-apply|vip-answers|kubeadm-init|kubeadm-join|bootstrap-token-issue|registered|kubeadm-etcd-endpoints|apiserver-etcd-servers|etcd-prune|etcd-stale-member)$/, "$1 $2") }));
  expect(firstPerPath(scripts)).toMatchSnapshot();
});
