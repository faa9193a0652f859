package contacts

import "strconv"

func fmtAny(v any) string {
	switch n := v.(type) {
	case float64:
		return strconv.FormatFloat(n, 'f', -1, 64)
	case int64:
		return strconv.FormatInt(n, 10)
	case int:
		return strconv.Itoa(n)
	case []byte:
		return string(n)
	case string:
		return n
	}
	return ""
}

// Text renders a stored value as text for exports and displays.
func Text(v any) string { return fmtAny(v) }
