package main

// command:remote:CopyToRemote: copies a file asset or a directory archive to a host over SFTP.
// As with the official plugin: when remotePath is an existing directory the source is copied
// into it (remotePath/<source name>); otherwise remotePath itself becomes the copy. Files keep
// their permission bits and times; files already present with the same size, mode and time are
// skipped, so a re-copy after one artifact changed moves only that artifact.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/pkg/sftp"
	"github.com/pulumi/pulumi/sdk/v3/go/common/diag"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

type copySource struct {
	localPath string // a file or a directory
	text      *string
}

func parseSource(inputs resource.PropertyMap) (copySource, error) {
	v := plain(inputs["source"])
	switch {
	case v.IsAsset():
		a := v.AssetValue()
		if a.Path != "" {
			return copySource{localPath: a.Path}, nil
		}
		if a.IsText() {
			t := a.Text
			return copySource{text: &t}, nil
		}
		return copySource{}, errors.New("source: only file and string assets can be copied")
	case v.IsArchive():
		a := v.ArchiveValue()
		if a.Path != "" {
			return copySource{localPath: a.Path}, nil
		}
		return copySource{}, errors.New("source: only file archives (a local directory or file) can be copied")
	default:
		return copySource{}, errors.New("source must be an asset or an archive")
	}
}

func (s *server) copyToRemote(ctx context.Context, urn resource.URN, inputs resource.PropertyMap) error {
	conn, err := parseConnection(inputs)
	if err != nil {
		return err
	}
	c, err := conn.dial(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	stop := c.closeWhenDone(ctx)
	defer stop()
	if err := s.copyOver(ctx, urn, c, conn, inputs); err != nil {
		if why := c.lostReason(); why != "" {
			return fmt.Errorf("copying to %s failed: %s", conn.target.host, why)
		}
		return err
	}
	return nil
}

// copyOver copies the source over an open connection.
func (s *server) copyOver(ctx context.Context, urn resource.URN, c *client, conn connection, inputs resource.PropertyMap) error {
	src, err := parseSource(inputs)
	if err != nil {
		return err
	}
	remotePath := str(inputs, "remotePath")
	if remotePath == "" {
		return errors.New("remotePath is required")
	}
	client, err := sftp.NewClient(c.Client, sftp.UseConcurrentWrites(true), sftp.UseConcurrentReads(true))
	if err != nil {
		return fmt.Errorf("opening SFTP on %s: %w", conn.target.host, err)
	}
	defer client.Close()

	if src.text != nil {
		dest := remotePath
		if st, err := client.Stat(dest); err == nil && st.IsDir() {
			return fmt.Errorf("remotePath %s is a directory; a string asset needs a file path", dest)
		}
		return writeRemote(client, dest, strings.NewReader(*src.text), 0o644)
	}
	srcPath, err := filepath.Abs(src.localPath)
	if err != nil {
		return err
	}
	local, err := os.Stat(srcPath)
	if err != nil {
		return fmt.Errorf("source: %w", err)
	}
	dest := remotePath
	if st, err := client.Stat(dest); err == nil && st.IsDir() {
		dest = path.Join(dest, filepath.Base(srcPath))
	} else if err == nil && local.IsDir() {
		return fmt.Errorf("remotePath %s on %s is a file; a directory cannot be copied onto it", dest, conn.target.host)
	}
	copied, skipped := 0, 0
	err = filepath.WalkDir(srcPath, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		rel, _ := filepath.Rel(srcPath, p)
		target := path.Join(dest, filepath.ToSlash(rel))
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			if err := client.MkdirAll(target); err != nil {
				return fmt.Errorf("creating %s: %w", target, err)
			}
			return client.Chmod(target, info.Mode().Perm())
		case info.Mode().IsRegular():
			if sameFile(client, target, info) {
				skipped++
				return nil
			}
			f, err := os.Open(p)
			if err != nil {
				return err
			}
			defer f.Close()
			copied++
			_ = s.host.LogStatus(ctx, diag.Info, urn, fmt.Sprintf("copying %s (%d MB)", rel, info.Size()>>20))
			if err := writeRemote(client, target, f, info.Mode().Perm()); err != nil {
				return err
			}
			return client.Chtimes(target, info.ModTime(), info.ModTime())
		default:
			return nil // sockets, devices and symlinks are not copied
		}
	})
	if err != nil {
		return fmt.Errorf("copying %s to %s:%s: %w", srcPath, conn.target.host, dest, err)
	}
	_ = s.host.LogStatus(ctx, diag.Info, urn, fmt.Sprintf("%d files copied, %d already there", copied, skipped))
	return nil
}

// writeRemote writes to a temporary name, then renames, so that a killed copy never leaves a
// truncated file under the final name.
func writeRemote(client *sftp.Client, dest string, r io.Reader, mode fs.FileMode) error {
	if err := client.MkdirAll(path.Dir(dest)); err != nil {
		return fmt.Errorf("creating %s: %w", path.Dir(dest), err)
	}
	tmp := dest + ".kubeha-copy"
	f, err := client.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC)
	if err != nil {
		return fmt.Errorf("opening %s: %w", tmp, err)
	}
	if _, err := f.ReadFrom(r); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", tmp, err)
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := client.Chmod(tmp, mode); err != nil {
		return err
	}
	if err := client.PosixRename(tmp, dest); err != nil {
		return fmt.Errorf("renaming %s: %w", tmp, err)
	}
	return nil
}

// sameFile is rsync's quick check: same size, permission bits and modification time (copies
// get the source's time), so that re-running a copy does not read every file back.
func sameFile(client *sftp.Client, remote string, info fs.FileInfo) bool {
	st, err := client.Stat(remote)
	return err == nil && st.Size() == info.Size() && st.Mode().Perm() == info.Mode().Perm() &&
		st.ModTime().Unix() == info.ModTime().Unix()
}
