import { createHash } from "crypto";

/** Short content hash used to make a remote step re-run exactly when its inputs change. */
export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
