// The test API's paths, as openapi-typescript would write them.
export interface paths {
  "/me": {
    get: { responses: { 200: { content: { "application/json": { subject: string; name: string } } } } };
  };
  "/items/{n}": {
    get: {
      parameters: { path: { n: number } };
      responses: { 200: { content: { "application/json": { n: number; subject: string } } } };
    };
  };
  "/always401": {
    get: { responses: { 200: { content: { "application/json": Record<string, never> } } } };
  };
}
