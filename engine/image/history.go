package image

import "time"

// HistoryEntry is one step of an image's history (its config's history), as
// `docker image history` shows it.
type HistoryEntry struct {
	Created   time.Time
	CreatedBy string
	Comment   string
	// Size is the unpacked size of the layer the step added; 0 for a step that
	// added none (EmptyLayer).
	Size       int64
	EmptyLayer bool
}

// History returns img's history newest first. Steps are matched with img's layers in
// order, skipping those marked empty; an image without history (an old or hand-made
// config) has one entry per layer.
func (s *Store) History(img *Image) []HistoryEntry {
	hist := img.Config.History
	var out []HistoryEntry
	layer := 0
	for _, h := range hist {
		e := HistoryEntry{Created: h.Created.Time, CreatedBy: h.CreatedBy, Comment: h.Comment, EmptyLayer: h.EmptyLayer}
		if !h.EmptyLayer && layer < len(img.Layers) {
			e.Size = dirSize(s.layerPath(img.Layers[layer]))
			layer++
		}
		out = append(out, e)
	}
	for ; layer < len(img.Layers); layer++ { // layers the history does not describe
		out = append(out, HistoryEntry{Created: img.Created, Size: dirSize(s.layerPath(img.Layers[layer]))})
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}
