// What the AWS Extend Switch Roles extension reads from a configuration, by the parser it imports
// (aesr-config's ConfigParser): the text on stdin, its profile set as JSON on stdout; a text the
// extension would reject is {"error": "..."} and exit status 1.
import { ConfigParser } from "aesr-config";

let text = "";
process.stdin.setEncoding("utf8");
for await (const chunk of process.stdin) text += chunk;
try {
  process.stdout.write(JSON.stringify(ConfigParser.parseIni(text)) + "\n");
} catch (error) {
  process.stdout.write(JSON.stringify({ error: `${error.constructor.name}: ${error.message}` }) + "\n");
  process.exitCode = 1;
}
