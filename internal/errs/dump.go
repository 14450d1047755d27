package errs

// DUMP and RESTORE.
const (
	RestoreTTL      = "ERR Invalid TTL value, must be >= 0"
	RestoreIdle     = "ERR Invalid IDLETIME value, must be >= 0"
	RestoreFreq     = "ERR Invalid FREQ value, must be >= 0 and <= 255"
	DumpPayload     = "ERR DUMP payload version or checksum are wrong"
	DumpBadFormat   = "ERR Bad data format"
	DumpUnsupported = "ERR DUMP does not support this value type in Ember"
)

// MIGRATE.
const (
	MigrateKeysNeedEmpty = "ERR When using MIGRATE KEYS option, the key argument must be set to the empty string"
	MigrateConnect       = "IOERR error or timeout connecting to the client"
	MigrateWrite         = "IOERR error or timeout writing to target instance"
	MigrateRead          = "IOERR error or timeout reading to target instance"
	MigrateTargetPrefix  = "ERR Target instance replied with error: "
)

// ClusterDisabled answers the cluster commands (Ember is standalone).
const ClusterDisabled = "ERR This instance has cluster support disabled"
