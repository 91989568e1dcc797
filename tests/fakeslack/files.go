package fakeslack

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// File is a file shared into a channel with Slack's external upload flow:
// files.getUploadURLExternal, a POST of the bytes to the URL it gives, then
// files.completeUploadExternal.
type File struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Title    string `json:"title"`
	Size     int    `json:"size"`
	Channel  string `json:"channel"`
	Content  string `json:"-"`
	Uploaded int64  `json:"created"`
}

// upload is a file whose bytes may have arrived but that is not shared yet.
type upload struct {
	name   string
	length int
	data   []byte
}

// maxUpload is Slack's limit on one file: 1 GB.
const maxUpload = 1 << 30

func (s *Server) filesGetUploadURLExternal(a args) (answer, int) {
	name := a.str("filename")
	length, err := strconv.Atoi(a.str("length"))
	switch {
	case name == "" || err != nil || length <= 0:
		return fail("invalid_arguments")
	case length > maxUpload:
		return fail("file_too_large")
	}
	id := s.newID("F")
	s.uploads[id] = &upload{name: name, length: length}
	return answer{"upload_url": "http://" + a.str("_host") + "/_fake/upload/" + id, "file_id": id}, 0
}

// serveUpload takes a file's bytes, as Slack's upload URL does: a multipart
// form with the bytes in "file", or the raw body.
func (s *Server) serveUpload(w http.ResponseWriter, r *http.Request) {
	id := strings.TrimPrefix(r.URL.Path, "/_fake/upload/")
	var data []byte
	var err error
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
		f, _, ferr := r.FormFile("file")
		if ferr != nil {
			http.Error(w, "no file in the form", http.StatusBadRequest)
			return
		}
		defer func() { _ = f.Close() }()
		data, err = io.ReadAll(io.LimitReader(f, maxUpload+1))
	} else {
		data, err = io.ReadAll(io.LimitReader(r.Body, maxUpload+1))
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.uploads[id]
	if u == nil {
		http.Error(w, "unknown upload", http.StatusNotFound)
		return
	}
	u.data = data
	_, _ = fmt.Fprintf(w, "OK - %d", len(data))
}

func (s *Server) filesCompleteUploadExternal(a args) (answer, int) {
	var files []struct{ ID, Title string }
	if err := json.Unmarshal([]byte(a.str("files")), &files); err != nil || len(files) == 0 {
		return fail("invalid_arguments")
	}
	channelID := a.str("channel_id")
	var ch *Channel
	if channelID != "" {
		var errCode string
		if ch, errCode = s.memberChannel(channelID); errCode != "" {
			return fail(errCode)
		}
	}
	for _, f := range files {
		u := s.uploads[f.ID]
		switch {
		case u == nil:
			return fail("file_not_found")
		case u.data == nil || len(u.data) != u.length:
			// Slack refuses to complete an upload whose bytes are missing or
			// do not match the length announced.
			return fail("file_upload_size_mismatch")
		}
	}
	var done []map[string]any
	for _, f := range files {
		u := s.uploads[f.ID]
		delete(s.uploads, f.ID)
		title := f.Title
		if title == "" {
			title = u.name
		}
		file := File{ID: f.ID, Name: u.name, Title: title, Size: u.length, Content: string(u.data), Uploaded: time.Now().Unix()}
		if ch != nil {
			file.Channel = ch.ID
			msg := Message{TS: s.nextTS(), User: BotUserID, Text: a.str("initial_comment"), Files: []string{u.name}}
			ch.Messages = append(ch.Messages, msg)
		}
		s.files = append(s.files, file)
		done = append(done, map[string]any{"id": f.ID, "title": title})
	}
	return answer{"files": done}, 0
}

func (s *Server) filesList(a args) (answer, int) {
	var out []map[string]any
	for _, f := range slices.Backward(s.files) {
		if c := a.str("channel"); c != "" && f.Channel != c {
			continue
		}
		out = append(out, map[string]any{"id": f.ID, "name": f.Name, "title": f.Title, "size": f.Size,
			"created": f.Uploaded, "channels": []string{f.Channel}})
	}
	return answer{"files": out, "paging": map[string]int{"count": len(out), "total": len(out), "page": 1, "pages": 1}}, 0
}

// Files are the files shared into a channel, oldest first, with their content.
func (s *Server) Files(channelID string) []File {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []File
	for _, f := range s.files {
		if f.Channel == channelID {
			out = append(out, f)
		}
	}
	return out
}
