package reports

import "os"

// SetFileWrap lets tests wrap the export file (a disk that fills up).
func (s *Service) SetFileWrap(w func(f *os.File) interface {
	Write([]byte) (int, error)
	Sync() error
	Close() error
}) {
	s.wrap = func(f *os.File) fileWriter { return w(f) }
}
