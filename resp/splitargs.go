package resp

import "bytes"

// SplitArgs splits an inline command line into arguments as redis-cli and
// Redis's inline protocol do: arguments separated by blanks, "double quoted"
// with \n \r \t \b \a \\ \" and \xHH escapes, or 'single quoted' with \'
// escapes. A closing quote must be followed by a blank or the line end.
//
// As in Redis, blanks between arguments are any of " \t\n\v\f\r", but an
// unquoted argument ends only at " \t\n\r" (a \v or \f inside it is kept),
// and the line ends at its first NUL byte.
//
// Unescaping happens in place, so line is overwritten; the returned
// arguments alias it. ok is false on unbalanced quotes.
func SplitArgs(line []byte, args [][]byte) (_ [][]byte, ok bool) {
	if z := bytes.IndexByte(line, 0); z >= 0 {
		line = line[:z]
	}
	i, n := 0, len(line)
	for {
		for i < n && isSpace(line[i]) {
			i++
		}
		if i >= n {
			return args, true
		}
		out := i // write position: unescaped output never outruns input
		start := i
		inq, insq := false, false
		done := false
		for !done {
			if inq {
				if i >= n {
					return args, false
				}
				c := line[i]
				switch {
				case c == '\\' && i+3 < n && line[i+1] == 'x' && isHex(line[i+2]) && isHex(line[i+3]):
					line[out] = hexVal(line[i+2])<<4 | hexVal(line[i+3])
					out++
					i += 4
				case c == '\\' && i+1 < n:
					i++
					switch line[i] {
					case 'n':
						c = '\n'
					case 'r':
						c = '\r'
					case 't':
						c = '\t'
					case 'b':
						c = '\b'
					case 'a':
						c = '\a'
					default:
						c = line[i]
					}
					line[out] = c
					out++
					i++
				case c == '"':
					// The closing quote must be followed by a blank or nothing.
					if i+1 < n && !isSpace(line[i+1]) {
						return args, false
					}
					i++
					done = true
				default:
					line[out] = c
					out++
					i++
				}
			} else if insq {
				if i >= n {
					return args, false
				}
				c := line[i]
				switch {
				case c == '\\' && i+1 < n && line[i+1] == '\'':
					line[out] = '\''
					out++
					i += 2
				case c == '\'':
					if i+1 < n && !isSpace(line[i+1]) {
						return args, false
					}
					i++
					done = true
				default:
					line[out] = c
					out++
					i++
				}
			} else {
				if i >= n {
					break
				}
				switch c := line[i]; c {
				case ' ', '\n', '\r', '\t':
					done = true
				case '"':
					inq = true
					i++
				case '\'':
					insq = true
					i++
				default:
					line[out] = c
					out++
					i++
				}
			}
		}
		args = append(args, line[start:out:out])
	}
}

// isSpace is C's isspace in the C locale.
func isSpace(c byte) bool {
	return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\v' || c == '\f'
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func hexVal(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}
