package compose

import "unicode"

// yamlKeyLess orders the keys of a map as Compose's YAML does: its encoder
// (go.yaml.in/yaml/v4) sorts a Go map's keys "naturally", runs of digits by value
// and a non-letter before a letter ("A_B" before "AB", "web9" before "web10"),
// where JSON sorts bytes. This is that encoder's keyList.Less for string keys.
func yamlKeyLess(a, b string) bool {
	ar, br := []rune(a), []rune(b)
	digits := false
	for i := 0; i < len(ar) && i < len(br); i++ {
		if ar[i] == br[i] {
			digits = unicode.IsDigit(ar[i])
			continue
		}
		al, bl := unicode.IsLetter(ar[i]), unicode.IsLetter(br[i])
		if al && bl {
			return ar[i] < br[i]
		}
		if al || bl {
			if digits {
				return al
			}
			return bl
		}
		return digitRunLess(ar, br, i)
	}
	return len(ar) < len(br)
}

// digitRunLess compares a and b where they first differ, at i, by the numbers their
// digit runs from i spell (a run after a non-zero digit counts as non-zero), then by
// the runs' lengths, then by the runes at i.
func digitRunLess(ar, br []rune, i int) bool {
	var an, bn int64
	if ar[i] == '0' || br[i] == '0' {
		for j := i - 1; j >= 0 && unicode.IsDigit(ar[j]); j-- {
			if ar[j] != '0' {
				an, bn = 1, 1
				break
			}
		}
	}
	ai, bi := i, i
	for ; ai < len(ar) && unicode.IsDigit(ar[ai]); ai++ {
		an = an*10 + int64(ar[ai]-'0')
	}
	for ; bi < len(br) && unicode.IsDigit(br[bi]); bi++ {
		bn = bn*10 + int64(br[bi]-'0')
	}
	if an != bn {
		return an < bn
	}
	if ai != bi {
		return ai < bi
	}
	return ar[i] < br[i]
}
