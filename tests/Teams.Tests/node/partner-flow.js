// A partner's flow against teams.v1, written as a partner would: @grpc/grpc-js with the
// service definitions loaded from the .proto files at run time. Prints one JSON object with
// what it saw; the .NET test decides whether that is right.
//
// usage: node partner-flow.js <address host:port> <proto root> <secretariat token> <googleapis proto root>
// (the contracts import google/api/annotations.proto for their JSON routes: a partner takes it from
// googleapis, e.g. the google-proto-files npm package; the test passes the copy .NET builds with)
'use strict';
const path = require('path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const [address, protoRoot, secretariatToken, googleApiRoot] = process.argv.slice(2);
const definition = protoLoader.loadSync(path.join(protoRoot, 'teams/v1/teams.proto'), {
  includeDirs: [protoRoot, googleApiRoot],
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
});
const teamsV1 = grpc.loadPackageDefinition(definition).teams.v1;
const credentials = grpc.credentials.createInsecure();
const teams = new teamsV1.Teams(address, credentials);
const stakeholders = new teamsV1.Stakeholders(address, credentials);

function call(client, method, request, token) {
  const metadata = new grpc.Metadata();
  if (token) metadata.add('authorization', `Bearer ${token}`);
  return new Promise((resolve) => {
    client[method](request, metadata, { deadline: Date.now() + 20000 }, (error, response) =>
      resolve(error ? { code: error.code, details: error.details } : { code: 0, response }));
  });
}

(async () => {
  const seen = {};
  const lines = await call(teams, 'ListActionLines', {});
  seen.actionLineCodes = lines.response.action_lines.map((l) => l.code);

  const registered = await call(stakeholders, 'RegisterStakeholder', {
    name: 'Partner Civil Society Network', category: 'CIVIL_SOCIETY', country_code: 'SN',
    contact_email: 'contact@partner.example', request_id: 'partner-register-1',
  }, secretariatToken);
  seen.registered = registered.response;
  const again = await call(stakeholders, 'RegisterStakeholder', {
    name: 'Partner Civil Society Network', category: 'CIVIL_SOCIETY', country_code: 'SN',
    contact_email: 'contact@partner.example', request_id: 'partner-register-1',
  }, secretariatToken);
  seen.registeredAgainId = again.response.id;

  const created = await call(teams, 'CreateTeam', { action_line_code: 'C9' }, secretariatToken);
  seen.team = created.response;
  seen.secondCreate = await call(teams, 'CreateTeam', { action_line_code: 'C9' }, secretariatToken);
  seen.anonymousJoin = await call(teams, 'JoinTeam', { team_id: created.response.id, stakeholder_id: registered.response.id });
  seen.badJoin = await call(teams, 'JoinTeam', { team_id: 'not-an-id', stakeholder_id: registered.response.id }, secretariatToken);

  const joined = await call(teams, 'JoinTeam', { team_id: created.response.id, stakeholder_id: registered.response.id }, secretariatToken);
  seen.joinedMembers = joined.response.members;
  const fetched = await call(teams, 'GetTeam', { id: created.response.id });
  seen.fetched = fetched.response;

  process.stdout.write(JSON.stringify(seen));
  teams.close();
  stakeholders.close();
})().catch((e) => {
  process.stderr.write(String(e && e.stack || e));
  process.exit(2);
});
