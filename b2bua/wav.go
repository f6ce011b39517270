package b2bua

import (
	"encoding/binary"
	"fmt"
	"os"
	"sync"

	"github.com/pion/rtp"
)

// wavRecorder writes a room's mix to a WAV file as G.711 µ-law, 8 kHz,
// mono (format 7): the payloads of the recording participant's stream, as
// they come. The header's sizes are fixed up on close.
type wavRecorder struct {
	mu   sync.Mutex
	f    *os.File
	n    uint32
	path string
}

const wavHeaderLen = 58 // RIFF, fmt (18 bytes: non-PCM), fact, data headers

func newWAVRecorder(path string) (*wavRecorder, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("b2bua: recording: %w", err)
	}
	w := &wavRecorder{f: f, path: path}
	if _, err := f.Write(w.header()); err != nil {
		f.Close()
		return nil, fmt.Errorf("b2bua: recording: %w", err)
	}
	return w, nil
}

// header is the WAV header for n bytes of µ-law samples.
func (w *wavRecorder) header() []byte {
	h := make([]byte, 0, wavHeaderLen)
	le := binary.LittleEndian
	h = append(h, "RIFF"...)
	h = le.AppendUint32(h, wavHeaderLen-8+w.n+w.n%2)
	h = append(h, "WAVEfmt "...)
	h = le.AppendUint32(h, 18)
	h = le.AppendUint16(h, 7) // µ-law
	h = le.AppendUint16(h, 1) // mono
	h = le.AppendUint32(h, 8000)
	h = le.AppendUint32(h, 8000) // bytes per second
	h = le.AppendUint16(h, 1)    // block align
	h = le.AppendUint16(h, 8)    // bits per sample
	h = le.AppendUint16(h, 0)    // extension size
	h = append(h, "fact"...)
	h = le.AppendUint32(h, 4)
	h = le.AppendUint32(h, w.n) // samples
	h = append(h, "data"...)
	h = le.AppendUint32(h, w.n)
	return h
}

// WriteRTP appends a frame of the mix (the mixer's Sink).
func (w *wavRecorder) WriteRTP(p *rtp.Packet) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.f == nil {
		return nil
	}
	n, err := w.f.Write(p.Payload)
	w.n += uint32(n)
	return err
}

// close writes the final header and closes the file.
func (w *wavRecorder) close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.f == nil {
		return nil
	}
	var errs []error
	if w.n%2 == 1 {
		_, err := w.f.Write([]byte{0}) // RIFF chunks are even-sized
		errs = append(errs, err)
	}
	_, err := w.f.WriteAt(w.header(), 0)
	errs = append(errs, err, w.f.Close())
	w.f = nil
	for _, e := range errs {
		if e != nil {
			return fmt.Errorf("b2bua: recording %s: %w", w.path, e)
		}
	}
	return nil
}
