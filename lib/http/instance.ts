/**
 * The response header that names the app instance which answered (INSTANCE_ID), so that behind a
 * load balancer a person (or the scale-out test) can see which instance served a request.
 */
export const INSTANCE_HEADER = "x-claimtrip-instance";
