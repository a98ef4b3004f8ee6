// An example consumer of a kubeha cluster: another stack reads kubeha's `kubeconfig` output
// through a StackReference (it stays a secret here too), builds a Kubernetes provider from it,
// and deploys a namespace and a small workload onto the cluster.
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";

const config = new pulumi.Config();
const cluster = new pulumi.StackReference(config.require("clusterStack"));
// requireOutput keeps the output's secretness: the provider's kubeconfig is encrypted in this stack's state.
const kubeconfig = cluster.requireOutput("kubeconfig").apply((value) => String(value));
const provider = new k8s.Provider("kubeha", { kubeconfig });

const namespace = new k8s.core.v1.Namespace("apps", { metadata: { name: config.require("namespace") } }, { provider });

const labels = { app: "hello" };
const hello = new k8s.apps.v1.Deployment(
  "hello",
  {
    metadata: { name: "hello", namespace: namespace.metadata.name },
    spec: {
      replicas: 1,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          containers: [
            {
              name: "hello",
              image: config.require("image"),
              imagePullPolicy: config.require("imagePullPolicy"),
              command: ["/bin/sh", "-c", "echo hello from a kubeha consumer; exec sleep 2147483647"],
              resources: { requests: { cpu: "10m", memory: "16Mi" } },
            },
          ],
        },
      },
    },
  },
  // The provider waits for the rollout: `pulumi up` fails if the pod never runs.
  { provider },
);

export const namespaceName = namespace.metadata.name;
export const deploymentName = hello.metadata.name;
