// Dataset folders and archives as one sorted list of files, and the path helpers the loaders
// share (see loader_formats.h).
#include "data/loader_formats.h"

#include <cctype>
#include <filesystem>

#include "core/error.h"
#include "data/tar.h"

namespace cnnlab {
namespace loading {

namespace fs = std::filesystem;

namespace {

bool hidden_component(const std::string& rel) {
  size_t start = 0;
  while (start < rel.size()) {
    if (rel[start] == '.') return true;
    const size_t slash = rel.find('/', start);
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return false;
}

std::string archive_stem(const std::string& where) {
  std::string name = fs::path(where).filename().string();
  for (const char* ext : {".tar.gz", ".tgz", ".tar", ".zip"}) {
    const std::string e = ext;
    if (name.size() > e.size() && lower(name.substr(name.size() - e.size())) == e) {
      return name.substr(0, name.size() - e.size());
    }
  }
  return name;
}

}  // namespace

std::string base_name(const std::string& rel) {
  const size_t slash = rel.rfind('/');
  return slash == std::string::npos ? rel : rel.substr(slash + 1);
}

std::string dir_name(const std::string& rel) {
  const size_t slash = rel.rfind('/');
  return slash == std::string::npos ? "" : rel.substr(0, slash);
}

std::string join(const std::string& dir, const std::string& name) {
  return dir.empty() ? name : name.empty() ? dir : dir + "/" + name;
}

std::string folder_name(const std::string& path) {
  fs::path p = fs::path(path).lexically_normal();
  if (p.filename().empty()) p = p.parent_path();
  return p.filename().string();
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::vector<std::string> split_components(const std::string& rel) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    const size_t slash = rel.find('/', start);
    parts.push_back(rel.substr(start, slash == std::string::npos ? std::string::npos
                                                                 : slash - start));
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return parts;
}

FileTree tree_of_directory(const std::string& path) {
  FileTree tree;
  tree.location = path;
  tree.name = folder_name(path);
  std::error_code ec;
  fs::recursive_directory_iterator it(path, fs::directory_options::skip_permission_denied, ec);
  require(!ec, path, "cannot list folder: " + ec.message());
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    require(!ec, path, "cannot list folder: " + ec.message());
    const fs::path rel_path = it->path().lexically_relative(path);
    const std::string rel = rel_path.generic_string();
    if (hidden_component(rel)) {
      if (it->is_directory(ec)) it.disable_recursion_pending();
      continue;
    }
    if (it->is_directory(ec)) {
      tree.folders.push_back(rel);
      continue;
    }
    if (!it->is_regular_file(ec)) continue;
    TreeFile f;
    f.rel = rel;
    f.where = it->path().string();
    f.disk = f.where;
    tree.files.push_back(std::move(f));
  }
  std::sort(tree.files.begin(), tree.files.end(),
            [](const TreeFile& a, const TreeFile& b) { return a.rel < b.rel; });
  std::sort(tree.folders.begin(), tree.folders.end());
  return tree;
}

FileTree tree_of_tar(const uint8_t* tar, size_t size, const std::string& where) {
  FileTree tree;
  tree.location = where;
  tree.name = archive_stem(where);
  tree.archive = true;
  std::vector<std::string> folders;
  for (const TarEntry& e : list_tar(tar, size, where, &folders)) {
    if (e.path.empty() || hidden_component(e.path)) continue;
    TreeFile f;
    f.rel = e.path;
    f.where = e.path + " (in " + where + ")";
    f.data = tar + e.offset;
    f.size = e.size;
    tree.files.push_back(std::move(f));
  }
  std::stable_sort(tree.files.begin(), tree.files.end(),
                   [](const TreeFile& a, const TreeFile& b) { return a.rel < b.rel; });
  // A path stored twice (appended archives): the later copy wins, as with `tar x`.
  std::vector<TreeFile> unique;
  for (TreeFile& f : tree.files) {
    if (!unique.empty() && unique.back().rel == f.rel) {
      unique.back() = std::move(f);
    } else {
      unique.push_back(std::move(f));
    }
  }
  tree.files = std::move(unique);
  for (const std::string& folder : folders) {
    if (!hidden_component(folder)) tree.folders.push_back(folder);
  }
  std::sort(tree.folders.begin(), tree.folders.end());
  tree.folders.erase(std::unique(tree.folders.begin(), tree.folders.end()), tree.folders.end());
  return tree;
}

std::vector<std::string> text_lines(const uint8_t* data, size_t size) {
  std::vector<std::string> lines;
  std::string line;
  auto flush = [&] {
    const size_t a = line.find_first_not_of(" \t\r");
    if (a != std::string::npos) {
      const size_t b = line.find_last_not_of(" \t\r");
      lines.push_back(line.substr(a, b - a + 1));
    }
    line.clear();
  };
  for (size_t i = 0; i < size; ++i) {
    if (data[i] == '\n') {
      flush();
    } else {
      line.push_back(static_cast<char>(data[i]));
    }
  }
  flush();
  return lines;
}

void require_not_empty(const DataSource& src, const std::string& where, const std::string& hint) {
  require(src.train.size() > 0, where, "empty dataset: no training images (" + hint + ")");
  require(src.test.size() > 0, where, "empty dataset: no test images (" + hint + ")");
}

}  // namespace loading
}  // namespace cnnlab
