// Commands the kubeadm engine runs when a step is deleted (a node leaves the config).
import { LINKS, PATHS } from "../../../plan/paths";
import { Target } from "../../host/remote";

/**
 * Undoes kubeadm on a node, markers included: a node added back later must join again. Only when
 * STEP still owns kubeadm there: when the first master leaves the config, the next one's join
 * step gives way to an init step that takes the node over, and must not reset it.
 * kubeadm reset leaves the CNI's links and leases behind; they hold the node's old pod subnet, and a
 * node that joins again gets a new one, so the bridge plugin would refuse every pod ("cni0 already
 * has an IP address different from ...").
 */
export function resetCommand(target: Target, step: "init" | "join"): string {
  const owner = `owner=$(cat ${PATHS.kubeadmStepFile} 2>/dev/null || echo ${step})`;
  const keep = `if [ "$owner" != ${step} ]; then echo "[kubeha] kubeadm here belongs to its $owner step now: not reset"; exit 0; fi`;
  const leftovers = [
    PATHS.cniConfigDir,
    PATHS.cniStateDir,
    PATHS.flannelRunDir,
    PATHS.kubeadmJoinConfig,
    PATHS.kubeadmJoinMarker,
    PATHS.kubeadmInitMarker,
    PATHS.kubeadmRejoinMarker,
    PATHS.kubeadmStepFile,
  ];
  const links = Object.values(LINKS)
    .map((link) => `ip link delete ${link} 2>/dev/null || true`)
    .join("; ");
  return `${target.sudo}sh -c '${owner}; ${keep}; kubeadm reset -f && rm -rf ${leftovers.join(" ")} && { ${links}; }'`;
}

/**
 * Run on a master when a node leaves the config, before the node itself is reset: drains it while
 * it is Ready (a dead node's pods cannot terminate, so draining it would only wait out the timeout),
 * then deletes its Node.
 */
export function drainCommand(master: Target, node: string): string {
  const kubectl = `${master.sudo}kubectl --kubeconfig=${PATHS.adminKubeconfig}`;
  const ready = `${kubectl} get node ${node} -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null | grep -qx True`;
  return `if ${ready}; then ${kubectl} drain ${node} --ignore-daemonsets --delete-emptydir-data --force --timeout=120s; fi; ${kubectl} delete node ${node} --ignore-not-found`;
}
