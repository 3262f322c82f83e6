package storage

// SetRekeyBatch sets Rekey's batch size for a test and returns a restore func.
func SetRekeyBatch(n int) func() {
	old := rekeyBatch
	rekeyBatch = n
	return func() { rekeyBatch = old }
}
