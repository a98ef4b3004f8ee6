// The control-plane engines by their kubeha:controlPlaneEngine name. A new engine implements
// ControlPlaneEngine (engine.ts) in a folder of its own and is added here and to
// config/validate.ts's CONTROL_PLANE_ENGINES.
import { ControlPlaneEngineName } from "../../config/types";
import { EngineFactory } from "./engine";
import { KubeadmEngine } from "./kubeadm/kubeadmEngine";

export const ENGINES: Record<ControlPlaneEngineName, EngineFactory> = {
  kubeadm: (name, parent, args) => new KubeadmEngine(name, parent, args),
};
