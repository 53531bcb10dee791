// Calls STS GetCallerIdentity ROUNDS times, INTERVAL seconds apart, in one long-lived process, with
// the AWS SDK for JavaScript's own credential chain (which finds a container credential endpoint):
// what the tests of `awsctx exec NAME --server` run as the command.
//   node sts-loop.mjs ROUNDS INTERVAL
import { STSClient, GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { fromNodeProviderChain } from "@aws-sdk/credential-providers";

const [rounds, interval] = process.argv.slice(2).map(Number);
const client = new STSClient({
  region: process.env.AWS_REGION || "us-east-1",
  endpoint: process.env.AWS_ENDPOINT_URL_STS,
  credentials: fromNodeProviderChain(),
});
for (let round = 0; round < rounds; round += 1) {
  if (round > 0) await new Promise((resolve) => setTimeout(resolve, interval * 1000));
  const answer = await client.send(new GetCallerIdentityCommand({}));
  console.log(answer.Arn);
}
