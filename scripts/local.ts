// Placeholder until the API issue lands: the local service needs the HTTP API to be useful.
console.error('certflow: `npm run local` is not built yet (see the API and local mode issue).');
process.exit(1);
