// Runs plan-summary/cli.ts with node alone: .ts files are compiled on require with the project's
// TypeScript (transpileModule: no type check, that is `npm run typecheck`'s job), so `npm run plan`
// needs no build step and no ts-node.
const fs = require("fs");
const path = require("path");
const ts = require("typescript");

require.extensions[".ts"] = (module, filename) => {
  const source = fs.readFileSync(filename, "utf8");
  const { outputText } = ts.transpileModule(source, { fileName: filename, compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true } });
  module._compile(outputText, filename);
};

const { main } = require(path.join(__dirname, "../../plan-summary/cli.ts"));
process.exitCode = main(process.argv.slice(2));
