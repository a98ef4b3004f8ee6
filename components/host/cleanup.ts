// A host's last step: created first and deleted last (every other step of the host waits for it).
// Its deletion, when the host leaves kubeha:hosts or the cluster is destroyed, removes kubeha's own
// files from the host: the etcd keys, the VRRP password and kubeha's state. kubeadm's files go with
// `kubeadm reset`, which the host's kubeadm step runs before; packages and binaries stay.
import { PATHS } from "../../plan/paths";
import { Target } from "./remote";

/** What the cleanup removes: kubeha's directories and the files it put into other programs' places. */
export const KUBEHA_FILES: readonly string[] = [
  PATHS.kubehaDir,
  PATHS.kubehaLogDir,
  PATHS.kubehaLibDir,
  PATHS.etcdConfigDir,
  PATHS.keepalivedConf,
  PATHS.keepalivedAuth,
  PATHS.keepalivedCheckScript,
  PATHS.keepalivedDropIn,
  PATHS.kubehaProgramDir,
  PATHS.apiserverGateUnit,
  PATHS.apiserverGateWants,
  PATHS.etcdSnapshotService,
  PATHS.etcdSnapshotTimer,
  PATHS.etcdSnapshotTimerWants,
];

/** The delete command of the cleanup step. */
export function cleanupCommand(target: Target): string {
  return `${target.sudo}sh -c 'rm -rf ${KUBEHA_FILES.join(" ")} && systemctl daemon-reload && echo "[kubeha] removed kubeha files: ${KUBEHA_FILES.join(" ")}"'`;
}
