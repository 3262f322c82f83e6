package sanctions

import "testing"

func BenchmarkZZBuild(b *testing.B) {
	for b.Loop() {
		f, _ := Snapshot()
		l, _ := Parse(f, SnapshotPublished)
		NewIndex(l)
	}
}
