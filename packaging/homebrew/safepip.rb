# Homebrew formula for safepip, for a team tap:
#   brew tap acme/tools https://git.example.com/acme/homebrew-tools
#   brew install acme/tools/safepip
# `url` and `sha256` point at a release tarball (`git archive`, see
# docs/team.md); packaging/homebrew/update-formula.sh sets both at release.
# The tree-sitter-python and tree-sitter-toml grammars are compiled into the binary from its npm
# tarball, pinned to the version and sha256 of scripts/fetch-grammar.sh
# (tests/packaging checks they agree).
class Safepip < Formula
  desc "Gate for pip that scans Python packages before they are installed"
  homepage "https://safepip.dev"
  url "https://safepip.dev/releases/safepip-0.1.0.tar.gz"
  sha256 "0000000000000000000000000000000000000000000000000000000000000000"

  depends_on "cmake" => :build
  depends_on "pkgconf" => :build
  depends_on "scdoc" => :build
  depends_on "cjson"
  depends_on "curl"
  depends_on "libarchive"
  depends_on "libzip"
  depends_on "libxml2"
  depends_on "openssl@3"
  depends_on "sqlite"
  depends_on "tree-sitter"

  resource "tree-sitter-python" do
    url "https://registry.npmjs.org/tree-sitter-python/-/tree-sitter-python-0.23.6.tgz"
    sha256 "aab5b860d93dbf84b37fed532f7dacc0468ede5387d0c74911d68f964287662a"
  end

  resource "tree-sitter-toml" do
    url "https://registry.npmjs.org/@tree-sitter-grammars/tree-sitter-toml/-/tree-sitter-toml-0.7.0.tgz"
    sha256 "b3a7834caf2e5266d09fc5df0b166a665412b9688b86ac02ab172c48bdab7e13"
  end

  def install
    # The build looks for the grammar's C sources in third_party/ when no
    # system copy is known to pkg-config, which is the case in Homebrew.
    %w[tree-sitter-python tree-sitter-toml].each do |grammar|
      resource(grammar).stage do
        (buildpath/"third_party"/grammar).install "src", "LICENSE"
      end
    end
    # Several of these are keg-only (not linked into the prefix): make sure
    # pkg-config finds them whatever the environment.
    %w[libarchive libzip curl libxml2 openssl@3 sqlite].each do |dep|
      ENV.prepend_path "PKG_CONFIG_PATH", Formula[dep].opt_lib/"pkgconfig"
    end
    # zsh in Homebrew reads share/zsh/site-functions. Nothing goes to /etc:
    # the system policy (/etc/safepip/policy.json) is the administrator's.
    system "cmake", "-S", ".", "-B", "build", "-DSP_TESTS=OFF",
           "-DSP_ZSH_COMPLETION_DIR=share/zsh/site-functions",
           "-DSP_INSTALL_SYSCONF=OFF", *std_cmake_args
    system "cmake", "--build", "build"
    system "cmake", "--install", "build"
  end

  def caveats
    <<~EOS
      To send `pip install` through safepip in your shell, add to ~/.zshrc:
        eval "$(safepip shell-init zsh)"
      (bash: eval "$(safepip shell-init bash)"; fish: safepip shell-init fish | source)
      A team policy goes in /etc/safepip/policy.json; see
        #{opt_share}/doc/safepip/team.md
    EOS
  end

  test do
    assert_match "safepip #{version}", shell_output("#{bin}/safepip --version")
    (testpath/"clean.py").write "import json\nprint(json.dumps({'a': 1}))\n"
    system bin/"safepip", "scan", "--quiet", testpath/"clean.py"
    (testpath/"evil.py").write "import base64\nexec(base64.b64decode(blob))\n"
    shell_output("#{bin}/safepip scan --quiet #{testpath}/evil.py", 1)
    system bin/"safepip", "policy", "check", share/"safepip/strict.json"
  end
end
