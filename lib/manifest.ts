import * as fs from "fs";
import * as path from "path";

/** A listing of every file under dir with size and mtime: changes when any artifact changes. */
export function directoryManifest(dir: string): string {
  const lines: string[] = [];
  const walk = (current: string) => {
    for (const entry of fs.readdirSync(current, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) walk(full);
      else {
        const stat = fs.statSync(full);
        lines.push(`${path.relative(dir, full)} ${stat.size} ${Math.floor(stat.mtimeMs)}`);
      }
    }
  };
  walk(dir);
  return lines.join("\n");
}

/** A file's size and mtime: changes when the file is replaced, without reading it. */
export function fileStamp(file: string): string {
  const stat = fs.statSync(file);
  return `${path.basename(file)} ${stat.size} ${Math.floor(stat.mtimeMs)}`;
}
