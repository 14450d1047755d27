package errs

// SsubscribeDenyBlocking is the reply to SSUBSCRIBE run where the client
// may not block (inside MULTI/EXEC).
const SsubscribeDenyBlocking = "ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client"
