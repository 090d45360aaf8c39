// Every number comes over the socket, so there is nothing to render on the server.
export const ssr = false;
